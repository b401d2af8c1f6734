import { createHash } from 'node:crypto';

import * as argon2 from 'argon2';

import {
  ab64Decode,
  importedHashAlgorithm,
  needsRehash,
  parsePbkdf2Sha256,
  verifyStoredHash,
} from './imported-password-hash';

// Computed with Python's hashlib.pbkdf2_hmac('sha256', b'password', b'0123456789abcdef', 29000)
// and encoded as passlib does (ab64: `.` for `+`, no padding): an independent implementation.
const PBKDF2_VECTOR =
  '$pbkdf2-sha256$29000$MDEyMzQ1Njc4OWFiY2RlZg$G/O7bynZBig0xpI9OJ2.zH5iXh/vIAuDcj9JVCTUa3k';
// Openwall crypt_blowfish test vector: "U*U" at cost 5.
const BCRYPT_VECTOR = '$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';

const SERVER = { memoryCost: 19456, timeCost: 2, parallelism: 1 };

describe('imported password hashes', () => {
  describe('ab64Decode', () => {
    it('reads passlib adapted base64: `.` for `+`, no padding', () => {
      expect(ab64Decode('MDEyMzQ1Njc4OWFiY2RlZg').toString('latin1')).toBe('0123456789abcdef');
      expect(ab64Decode('.w')).toEqual(Buffer.from([0xfb]));
    });
  });

  describe('parsePbkdf2Sha256', () => {
    it('takes a passlib hash apart', () => {
      const parsed = parsePbkdf2Sha256(PBKDF2_VECTOR);
      expect(parsed?.rounds).toBe(29000);
      expect(parsed?.salt.toString('latin1')).toBe('0123456789abcdef');
      expect(parsed?.checksum).toHaveLength(32);
    });

    it.each([
      ['no rounds', '$pbkdf2-sha256$$MDEy$G/O7bynZBig0xpI9OJ2.zH5iXh/vIAuDcj9JVCTUa3k'],
      ['a short checksum', '$pbkdf2-sha256$29000$MDEy$G/O7bynZBig0xpI9OJ2'],
      [
        'standard base64 `+`',
        '$pbkdf2-sha256$29000$MDEy$G/O7bynZBig0xpI9OJ2+zH5iXh/vIAuDcj9JVCTUa3k',
      ],
      ['another digest', '$pbkdf2-sha512$29000$MDEy$G/O7bynZBig0xpI9OJ2.zH5iXh/vIAuDcj9JVCTUa3k'],
    ])('refuses %s', (_, hash) => {
      expect(parsePbkdf2Sha256(hash)).toBeNull();
    });
  });

  describe('importedHashAlgorithm', () => {
    it('names the algorithm of each accepted format', async () => {
      expect(importedHashAlgorithm(PBKDF2_VECTOR)).toEqual({ algorithm: 'pbkdf2-sha256' });
      expect(importedHashAlgorithm(BCRYPT_VECTOR)).toEqual({ algorithm: 'bcrypt' });
      expect(importedHashAlgorithm(BCRYPT_VECTOR.replace('$2a$', '$2y$'))).toEqual({
        algorithm: 'bcrypt',
      });
      expect(importedHashAlgorithm(await argon2.hash('x'))).toEqual({ algorithm: 'argon2' });
    });

    it.each([
      ['plain text', 'hunter2'],
      ['a SHA-256 digest', createHash('sha256').update('x').digest('hex')],
      ['a bcrypt cost below 4', '$2b$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
      ['a bcrypt cost past 13', '$2b$14$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
      ['a bcrypt cost of 31', '$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW'],
      [
        'PBKDF2 past 2,000,000 rounds',
        '$pbkdf2-sha256$2000001$MDEyMzQ1Njc4OWFiY2RlZg$G/O7bynZBig0xpI9OJ2.zH5iXh/vIAuDcj9JVCTUa3k',
      ],
      ['a bcrypt hash cut short', '$2b$10$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0Xou'],
      ['argon2 memory past 256 MiB', '$argon2id$v=19$m=262145,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'],
      ['argon2 past ten passes', '$argon2id$v=19$m=19456,t=11,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'],
      ['argon2 past 16 lanes', '$argon2i$v=19$m=65536,t=3,p=17$c2FsdHNhbHQ$aGFzaGhhc2g'],
      ['argon2 naming a cost twice', '$argon2id$v=19$m=19456,m=8,t=2$c2FsdHNhbHQ$aGFzaGhhc2g'],
      ['argon2 with no pass', '$argon2id$v=19$m=19456,t=0,p=1$c2FsdHNhbHQ$aGFzaGhhc2g'],
      [
        'too few PBKDF2 rounds',
        '$pbkdf2-sha256$999$MDEyMzQ1Njc4OWFiY2RlZg$G/O7bynZBig0xpI9OJ2.zH5iXh/vIAuDcj9JVCTUa3k',
      ],
    ])('refuses %s with a problem', (_, hash) => {
      expect(importedHashAlgorithm(hash)).toEqual({ problem: expect.any(String) });
    });
  });

  describe('verifyStoredHash', () => {
    it('checks PBKDF2 against an independently computed vector', async () => {
      await expect(verifyStoredHash(PBKDF2_VECTOR, 'password')).resolves.toBe(true);
      await expect(verifyStoredHash(PBKDF2_VECTOR, 'Password')).resolves.toBe(false);
    });

    it('checks bcrypt, 2a and 2y alike', async () => {
      await expect(verifyStoredHash(BCRYPT_VECTOR, 'U*U')).resolves.toBe(true);
      await expect(verifyStoredHash(BCRYPT_VECTOR.replace('$2a$', '$2y$'), 'U*U')).resolves.toBe(
        true,
      );
      await expect(verifyStoredHash(BCRYPT_VECTOR, 'U*V')).resolves.toBe(false);
    });

    it('refuses, without computing it, a stored bcrypt hash past cost 13', async () => {
      // A cost-31 hash would hold the event loop some 40 hours: computed, it would never answer
      // within the test's timeout.
      await expect(
        verifyStoredHash('$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW', 'U*U'),
      ).resolves.toBe(false);
    });

    it('checks argon2i, and answers false for a malformed hash', async () => {
      const hash = await argon2.hash('secret', { type: argon2.argon2i });
      await expect(verifyStoredHash(hash, 'secret')).resolves.toBe(true);
      await expect(verifyStoredHash(hash, 'other')).resolves.toBe(false);
      await expect(verifyStoredHash('$argon2i$garbage', 'secret')).resolves.toBe(false);
    });

    it('accepts argon2 at its bounds: 256 MiB, ten passes, 16 lanes', () => {
      expect(
        importedHashAlgorithm('$argon2id$v=19$m=262144,t=10,p=16$c2FsdHNhbHQ$aGFzaGhhc2g'),
      ).toEqual({ algorithm: 'argon2' });
    });

    it('refuses, without computing it, an argon2 hash past the bounds that the password matches', async () => {
      // Cheap to make (64 KiB, 136 KiB), so each match is real: only the bounds refuse them.
      const manyPasses = await argon2.hash('secret', {
        type: argon2.argon2id,
        memoryCost: 64,
        timeCost: 11,
      });
      const manyLanes = await argon2.hash('secret', {
        type: argon2.argon2d,
        memoryCost: 8 * 17,
        parallelism: 17,
      });
      expect(await argon2.verify(manyPasses, 'secret')).toBe(true);
      expect(await argon2.verify(manyLanes, 'secret')).toBe(true);

      await expect(verifyStoredHash(manyPasses, 'secret')).resolves.toBe(false);
      await expect(verifyStoredHash(manyLanes, 'secret')).resolves.toBe(false);
    });

    it('checks argon2d and argon2id of version 0x10 (older libargon2), at their own parameters', async () => {
      const d = await argon2.hash('secret', {
        type: argon2.argon2d,
        memoryCost: 4096,
        parallelism: 2,
      });
      const v16 = await argon2.hash('secret', {
        type: argon2.argon2id,
        version: 0x10,
        memoryCost: 4096,
        timeCost: 1,
      });
      expect(v16).toMatch(/^\$argon2id\$v=16\$/);
      for (const hash of [d, v16]) {
        expect(importedHashAlgorithm(hash)).toEqual({ algorithm: 'argon2' });
        await expect(verifyStoredHash(hash, 'secret')).resolves.toBe(true);
        await expect(verifyStoredHash(hash, 'secreT')).resolves.toBe(false);
      }
    });
  });

  describe('needsRehash', () => {
    it('keeps argon2id at the server parameters and replaces everything else', async () => {
      const own = await argon2.hash('x', { type: argon2.argon2id, ...SERVER });
      const weak = await argon2.hash('x', { type: argon2.argon2id, memoryCost: 8192, timeCost: 1 });
      const argon2i = await argon2.hash('x', { type: argon2.argon2i, ...SERVER });
      expect(needsRehash(own, SERVER)).toBe(false);
      expect(needsRehash(weak, SERVER)).toBe(true);
      expect(needsRehash(argon2i, SERVER)).toBe(true);
      expect(needsRehash(BCRYPT_VECTOR, SERVER)).toBe(true);
      expect(needsRehash(PBKDF2_VECTOR, SERVER)).toBe(true);
    });
  });
});
