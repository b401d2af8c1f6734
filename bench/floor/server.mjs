// The floor: the least a server can do for the two signing cases and still answer them, so the
// bench shows how far the signatures alone let any Node.js server get. No framework, no
// database, no logging, no metrics; the client is known by one string comparison, a refresh token
// lives in a Set, and each RS256 signature is taken on the event loop (the form that costs the
// least CPU: the thread pool's hand-off is about 18 µs more per signature). Not an identity
// provider, and nothing here is shipped: bench/run.mjs starts it as the `floor` server.
// Configuration comes from BENCH_FLOOR (JSON): { port, auth } where auth is the expected
// Authorization header.
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import http from 'node:http';

const { port, auth } = JSON.parse(process.env.BENCH_FLOOR);
const issuer = `http://127.0.0.1:${port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid: 'floor' })).toString(
  'base64url',
);
const ID_HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'floor' })).toString('base64url');
const refreshTokens = new Set();

function jws(header, payload) {
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function accessToken(clientId, sub, scope) {
  const iat = Math.floor(Date.now() / 1000);
  return jws(HEADER, {
    iss: issuer,
    sub,
    aud: clientId,
    client_id: clientId,
    scope,
    iat,
    exp: iat + 3600,
    jti: randomUUID(),
  });
}

function send(res, status, body) {
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

function token(form) {
  const grant = form.get('grant_type');
  if (grant === 'client_credentials') {
    return {
      access_token: accessToken('floor-cc', 'floor-cc', 'api'),
      token_type: 'Bearer',
      expires_in: 3600,
    };
  }
  if (grant === 'refresh_token' && refreshTokens.delete(form.get('refresh_token'))) {
    const next = randomBytes(32).toString('base64url');
    refreshTokens.add(next);
    const at = accessToken('floor-rt', 'floor-user', 'openid');
    const iat = Math.floor(Date.now() / 1000);
    const hash = createHash('sha256').update(at).digest();
    const idToken = jws(ID_HEADER, {
      iss: issuer,
      sub: 'floor-user',
      aud: 'floor-rt',
      exp: iat + 3600,
      iat,
      auth_time: iat,
      azp: 'floor-rt',
      amr: ['pwd'],
      at_hash: hash.subarray(0, 16).toString('base64url'),
    });
    return {
      access_token: at,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: next,
      id_token: idToken,
      scope: 'openid',
    };
  }
  return null;
}

function mint(req, res) {
  const url = new URL(req.url, issuer);
  if (req.method !== 'GET' || url.pathname !== '/bench/mint') return send(res, 404, {});
  // Refresh tokens only: the floor's cases present nothing else.
  const minted = Array.from({ length: Number(url.searchParams.get('count')) }, () =>
    randomBytes(32).toString('base64url'),
  );
  for (const t of minted) refreshTokens.add(t);
  return send(res, 200, minted);
}

http
  .createServer((req, res) => {
    // The measured path parses no URL: the token endpoint is the only one the load asks for.
    if (req.method !== 'POST' || req.url !== '/token') return mint(req, res);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.headers.authorization !== auth) return send(res, 401, { error: 'invalid_client' });
      const body = token(new URLSearchParams(Buffer.concat(chunks).toString('latin1')));
      if (body) send(res, 200, body);
      else send(res, 400, { error: 'invalid_grant' });
    });
  })
  .listen(port, '127.0.0.1');
