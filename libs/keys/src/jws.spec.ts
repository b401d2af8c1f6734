import { generateKeyPairSync } from 'node:crypto';

import { compactVerify } from 'jose';

import { decodeJws, signRs256, verifyRs256 } from './jws';

describe(signRs256.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const header = { alg: 'RS256', typ: 'at+jwt', kid: 'k1' };

  it('writes a compact JWS that another implementation verifies with the public key', async () => {
    const token = await signRs256(header, { sub: 'alice', n: 1 }, privateKey);

    const { payload, protectedHeader } = await compactVerify(token, publicKey, {
      algorithms: ['RS256'],
    });
    expect(protectedHeader).toEqual(header);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ sub: 'alice', n: 1 });
  });

  it('signs many tokens at once, each over its own payload', async () => {
    // The signatures run on the thread pool concurrently: none may get another's bytes.
    const tokens = await Promise.all(
      Array.from({ length: 16 }, (_, n) => signRs256(header, { n }, privateKey)),
    );

    tokens.forEach((token, n) => {
      const jws = decodeJws(token);
      expect(jws?.payload).toEqual({ n });
      expect(verifyRs256(jws!.signingInput, jws!.signature, publicKey)).toBe(true);
    });
  });

  it('rejects, rather than throws, when the key cannot sign', async () => {
    await expect(signRs256(header, { n: 1 }, publicKey)).rejects.toThrow();
  });
});
