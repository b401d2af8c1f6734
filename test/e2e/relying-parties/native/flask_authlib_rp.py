"""A Flask web application signing users in with Authlib's Flask client, as its documentation
shows: OAuth(app).register(name, client_id, client_secret, server_metadata_url, client_kwargs
scope). Started by ../flask-authlib.native-spec.ts with /usr/bin/python3 and Debian's
python3-authlib and python3-flask; it prints "listening <port>" once it serves on loopback.

Environment: ISSUER, CLIENT_ID, CLIENT_SECRET. Every route answers JSON for the test to read.
Authlib has no RP-Initiated Logout helper, so /logout builds the end-session URL from discovery
(RP-Initiated Logout 1.0 section 2), and /backchannel-logout validates logout tokens with
authlib.jose (Back-Channel Logout 1.0 section 2.6).
"""

import os
import secrets
import sys
import threading
import time
from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.jose import JsonWebKey, JsonWebToken
from authlib.jose.errors import JoseError
from flask import Flask, jsonify, redirect, request, session
from werkzeug.serving import make_server

ISSUER = os.environ["ISSUER"]
CLIENT_ID = os.environ["CLIENT_ID"]
BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"

app = Flask(__name__)
app.secret_key = secrets.token_bytes(32)
oauth = OAuth(app)
oauth.register(
    name="idp",
    client_id=CLIENT_ID,
    client_secret=os.environ["CLIENT_SECRET"],
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_kwargs={"scope": "openid profile email"},
)

# IdP session ids (sid) the IdP ended by back-channel logout, and the tokens seen.
lock = threading.Lock()
ended_sids = set()
logout_tokens = []
rejected_logout_tokens = []
origin = ""


@app.get("/login")
def login():
    extra = {"prompt": request.args["prompt"]} if "prompt" in request.args else {}
    return oauth.idp.authorize_redirect(f"{origin}/callback", **extra)


@app.get("/callback")
def callback():
    try:
        token = oauth.idp.authorize_access_token()
    except OAuthError as error:
        return jsonify(error=error.error), 400
    claims = dict(token["userinfo"])
    userinfo = dict(oauth.idp.userinfo(token=token))
    session["user"] = {
        "sid": claims.get("sid"),
        "id_token": token["id_token"],
        "refresh_token": token.get("refresh_token"),
    }
    return jsonify(claims=claims, userinfo=userinfo)


@app.get("/me")
def me():
    user = session.get("user")
    with lock:
        signed_in = bool(user) and user.get("sid") not in ended_sids
    return jsonify(signedIn=signed_in)


@app.get("/refresh")
def refresh():
    user = session.get("user")
    if not user or not user.get("refresh_token"):
        return jsonify(error="not signed in"), 401
    try:
        token = oauth.idp.fetch_access_token(
            grant_type="refresh_token", refresh_token=user["refresh_token"]
        )
    except OAuthError as error:
        return jsonify(error=error.error), 400
    user["refresh_token"] = token.get("refresh_token", user["refresh_token"])
    session["user"] = user
    return jsonify(access_token="access_token" in token)


@app.get("/logout")
def logout():
    user = session.pop("user", None)
    state = secrets.token_urlsafe(16)
    session["logout_state"] = state
    params = {"post_logout_redirect_uri": f"{origin}/logged-out", "state": state}
    if user:
        params["id_token_hint"] = user["id_token"]
    end_session = oauth.idp.load_server_metadata()["end_session_endpoint"]
    return redirect(f"{end_session}?{urlencode(params)}")


@app.get("/logged-out")
def logged_out():
    state = session.pop("logout_state", None)
    return jsonify(stateMatches=state is not None and request.args.get("state") == state)


def validate_logout_token(logout_token):
    """Back-Channel Logout 1.0 section 2.6, steps 1 to 7."""
    metadata = oauth.idp.load_server_metadata()
    keys = JsonWebKey.import_key_set(oauth.idp.fetch_jwk_set(force=True))
    algorithms = metadata.get("id_token_signing_alg_values_supported", ["RS256"])
    claims = JsonWebToken(algorithms).decode(
        logout_token,
        keys,
        claims_options={
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": CLIENT_ID},
            "iat": {"essential": True},
            "jti": {"essential": True},
            "events": {"essential": True},
        },
    )
    claims.validate(leeway=30)
    # Section 2.4: explicitly typed; section 2.6: iat not too old, the event, sid or sub, no nonce.
    if claims.header.get("typ") != "logout+jwt":
        raise ValueError("typ is not logout+jwt")
    if time.time() - claims["iat"] > 120:
        raise ValueError("iat too old")
    event = claims["events"].get(BACKCHANNEL_LOGOUT_EVENT) if isinstance(claims["events"], dict) else None
    if not isinstance(event, dict):
        raise ValueError("no back-channel logout event")
    if not isinstance(claims.get("sid"), str):
        raise ValueError("no sid (backchannel_logout_session_required)")
    if "nonce" in claims:
        raise ValueError("nonce present")
    return dict(claims)


@app.post("/backchannel-logout")
def backchannel_logout():
    try:
        claims = validate_logout_token(request.form.get("logout_token", ""))
    except (JoseError, ValueError, KeyError) as error:
        with lock:
            rejected_logout_tokens.append(str(error))
        return jsonify(error="invalid_request"), 400
    with lock:
        logout_tokens.append(claims)
        ended_sids.add(claims["sid"])
    response = app.response_class(status=200)
    response.headers["Cache-Control"] = "no-store"
    return response


@app.get("/backchannel-log")
def backchannel_log():
    with lock:
        return jsonify(received=logout_tokens, rejected=rejected_logout_tokens)


if __name__ == "__main__":
    server = make_server("127.0.0.1", 0, app, threaded=True)
    origin = f"http://127.0.0.1:{server.server_port}"
    print(f"listening {server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        sys.exit(0)
