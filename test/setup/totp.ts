import { createHmac } from 'node:crypto';

/**
 * An authenticator app for the tests, written from RFC 6238 and RFC 4648 apart from the server's
 * own code (libs/factors), so a mistake shared by both cannot pass unseen.
 */
export function totpAt(base32Secret: string, time: Date, offsetSteps = 0): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...base32Secret.replace(/=+$/, '').toUpperCase()]
    .map((c) => {
      const v = alphabet.indexOf(c);
      if (v < 0) throw new Error(`not base32: ${c}`);
      return v.toString(2).padStart(5, '0');
    })
    .join('');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((byte) => parseInt(byte, 2)));
  // RFC 6238 §4.2: T = floor(unix time / 30), as an 8-byte big-endian counter (RFC 4226 §5.1).
  const counter = Math.floor(time.getTime() / 1000 / 30) + offsetSteps;
  const message = Buffer.alloc(8);
  message.writeUInt32BE(Math.floor(counter / 2 ** 32), 0);
  message.writeUInt32BE(counter % 2 ** 32, 4);
  const hs = createHmac('sha1', key).update(message).digest();
  // RFC 4226 §5.4 dynamic truncation.
  const offset = hs[19] & 0xf;
  const snum =
    ((hs[offset] & 0x7f) << 24) | (hs[offset + 1] << 16) | (hs[offset + 2] << 8) | hs[offset + 3];
  return (snum % 1_000_000).toString().padStart(6, '0');
}
