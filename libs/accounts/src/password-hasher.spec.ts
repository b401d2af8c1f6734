import { PasswordHasher } from './password-hasher';

describe(PasswordHasher.name, () => {
  const sut = new PasswordHasher();

  it('hashes with argon2id, m=19456 KiB, t=2, p=1', async () => {
    const hash = await sut.hash('correct horse');

    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
  });

  it('verifies the right password', async () => {
    const hash = await sut.hash('correct horse');

    expect(await sut.verify(hash, 'correct horse')).toBe(true);
  });

  it('refuses a wrong password', async () => {
    const hash = await sut.hash('correct horse');

    expect(await sut.verify(hash, 'Correct horse')).toBe(false);
  });

  it('answers false for a malformed hash instead of throwing', async () => {
    expect(await sut.verify('not a hash', 'correct horse')).toBe(false);
  });

  it('never accepts anything against the dummy hash', async () => {
    expect(await sut.verifyDummy('')).toBe(false);
  });
});
