/**
 * The one script of the login pages (CONTRACT §3: no scripts except the WebAuthn ceremony),
 * served from this origin so the pages' CSP names no inline code. A form with
 * `data-passkey="get"` or `"create"` and its options in `data-options` (JSON of
 * @simplewebauthn/server) runs navigator.credentials on submit, puts the credential's JSON in
 * its `passkey` field, and is then posted as any form. Without WebAuthn nothing happens.
 */
export const PASSKEY_SCRIPT = `'use strict';
(function () {
  function toBytes(value) {
    var text = value.replace(/-/g, '+').replace(/_/g, '/');
    var raw = atob(text + '==='.slice((text.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i += 1) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var raw = '';
    for (var i = 0; i < bytes.length; i += 1) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
  }
  function descriptors(list) {
    return (list || []).map(function (d) {
      return { type: 'public-key', id: toBytes(d.id), transports: d.transports };
    });
  }
  function publicKeyOf(kind, options) {
    var key = Object.assign({}, options, { challenge: toBytes(options.challenge) });
    if (kind === 'create') {
      key.user = Object.assign({}, options.user, { id: toBytes(options.user.id) });
      key.excludeCredentials = descriptors(options.excludeCredentials);
    } else {
      key.allowCredentials = descriptors(options.allowCredentials);
    }
    return key;
  }
  function jsonOf(credential) {
    var r = credential.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      response.userHandle = toText(r.userHandle);
    }
    return JSON.stringify({
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
    });
  }
  var forms = document.querySelectorAll('form[data-passkey]');
  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.PublicKeyCredential || form.elements.passkey.value) return;
      event.preventDefault();
      var kind = form.getAttribute('data-passkey');
      var publicKey = publicKeyOf(kind, JSON.parse(form.getAttribute('data-options')));
      var call = kind === 'create'
        ? navigator.credentials.create({ publicKey: publicKey })
        : navigator.credentials.get({ publicKey: publicKey });
      call.then(
        function (credential) { form.elements.passkey.value = jsonOf(credential); form.submit(); },
        function () { form.elements.passkey.value = '{}'; form.submit(); }
      );
    });
  });
})();
`;
