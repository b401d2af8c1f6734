import { createHash, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';

import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

const generateKeyPairAsync = promisify(generateKeyPair);

/** A public RSA JWK as published. */
export interface PublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
  kid: string;
  use: 'sig' | 'enc';
  alg: string;
  x5c?: string[];
  'x5t#S256'?: string;
}

/** A freshly generated key, before it is stored. */
export interface GeneratedKey {
  kid: string;
  publicJwk: PublicJwk;
  privateKeyPem: string;
  certificatePem: string;
}

/** RFC 7638 §3: SHA-256 over the required members in lexicographic order. */
export function rsaThumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}

/** A new 2048-bit RSA key with its RFC 7638 kid and a self-signed certificate (for x5c). */
export async function generateRsaKey(
  use: 'sig' | 'enc',
  alg: string,
  subjectCn: string,
): Promise<GeneratedKey> {
  const { publicKey, privateKey } = await generateKeyPairAsync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const kid = rsaThumbprint(jwk.n, jwk.e);
  return {
    kid,
    publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid, use, alg },
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    certificatePem: await selfSignedCertificate(publicKey, privateKey, subjectCn),
  };
}

/** CONTRACT §2 METADATA_CERTIFICATE: the issuer key in a self-signed X.509 envelope. */
async function selfSignedCertificate(
  publicKey: KeyObject,
  privateKey: KeyObject,
  cn: string,
): Promise<string> {
  const subtle = globalThis.crypto.subtle;
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  const keys = {
    publicKey: await subtle.importKey(
      'spki',
      publicKey.export({ format: 'der', type: 'spki' }),
      algorithm,
      true,
      ['verify'],
    ),
    privateKey: await subtle.importKey(
      'pkcs8',
      privateKey.export({ format: 'der', type: 'pkcs8' }),
      algorithm,
      false,
      ['sign'],
    ),
  };
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: createHash('sha256')
        .update(publicKey.export({ format: 'der', type: 'spki' }))
        .digest('hex')
        .slice(0, 16),
      name: `CN=${cn.replace(/[,+="\\<>;]/g, '')}`,
      notBefore,
      notAfter,
      signingAlgorithm: algorithm,
      keys,
    },
    globalThis.crypto,
  );
  return cert.toString('pem');
}

/** DER of a PEM certificate, base64 (RFC 7517 §4.7 x5c), and its SHA-256 thumbprint (§4.9). */
export function certificateMembers(certificatePem: string): { x5c: string[]; 'x5t#S256': string } {
  const der = Buffer.from(certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return {
    x5c: [der.toString('base64')],
    'x5t#S256': createHash('sha256').update(der).digest('base64url'),
  };
}
