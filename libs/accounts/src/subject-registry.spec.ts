import { generateMasterKey, MasterKeyCipher } from '@app/crypto';
import { SubjectRepository } from '@app/persistence';

import { caught, mockOf } from '../../../test/mocks';
import { SubjectRegistry, SubjectSource } from './subject-registry';

const ISSUER_A = SubjectSource.saml('https://a.example.org/idp');
const ISSUER_B = SubjectSource.saml('https://b.example.org/idp');
const EMAIL = SubjectSource.otp('email');

describe(SubjectRegistry.name, () => {
  const masterKey = generateMasterKey();
  let repository: jest.Mocked<SubjectRepository>;
  /** The subjects table: sub → `source\0externalId`. */
  let table: Map<string, string>;
  let sut: SubjectRegistry;

  beforeEach(() => {
    table = new Map();
    repository = mockOf<SubjectRepository>();
    const subOf = async (source: string, externalId: string) =>
      [...table].find(([, owner]) => owner === `${source}\0${externalId}`)?.[0] ?? null;
    repository.findSub.mockImplementation(subOf);
    repository.claim.mockImplementation(async (sub, source, externalId) => {
      if (!table.has(sub) && (await subOf(source, externalId)) === null)
        table.set(sub, `${source}\0${externalId}`);
      return subOf(source, externalId);
    });
    sut = new SubjectRegistry(repository, new MasterKeyCipher(masterKey));
  });

  it('gives the first source to present a value that value as its sub', async () => {
    expect(await sut.subjectFor(ISSUER_A, 'alice@example.com')).toBe('alice@example.com');
    expect(await sut.subjectFor(ISSUER_A, 'alice@example.com')).toBe('alice@example.com');
  });

  it('gives a later source presenting the same value a stable sub of its own', async () => {
    await sut.subjectFor(ISSUER_A, 'alice@example.com');

    const fromB = await sut.subjectFor(ISSUER_B, 'alice@example.com');
    const fromMail = await sut.subjectFor(EMAIL, 'alice@example.com');

    expect(fromB).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Set([fromB, fromMail, 'alice@example.com']).size).toBe(3);
    expect(await sut.subjectFor(ISSUER_B, 'alice@example.com')).toBe(fromB);
  });

  it('derives the same sub on another instance with the same MASTER_KEY', async () => {
    await sut.subjectFor(ISSUER_A, 'alice@example.com');
    const first = await sut.subjectFor(ISSUER_B, 'alice@example.com');
    table.clear();
    table.set('alice@example.com', `${ISSUER_A}\0alice@example.com`);

    const again = await new SubjectRegistry(repository, new MasterKeyCipher(masterKey)).subjectFor(
      ISSUER_B,
      'alice@example.com',
    );

    expect(again).toBe(first);
  });

  it.each(['7c9e6679-7425-40de-944b-e07fc1f90ae7', '7C9E6679-7425-40DE-944B-E07FC1F90AE7'])(
    'never gives a value shaped like a user or client id (%p) as sub',
    async (id) => {
      const sub = await sut.subjectFor(ISSUER_A, id);

      expect(sub).not.toBe(id);
      expect(repository.claim).toHaveBeenCalledTimes(1);
      expect(repository.claim).toHaveBeenCalledWith(sub, ISSUER_A, id);
    },
  );

  it('keeps a value that merely contains a UUID', async () => {
    const value = 'user-7c9e6679-7425-40de-944b-e07fc1f90ae7';

    expect(await sut.subjectFor(ISSUER_A, value)).toBe(value);
  });

  it('refuses with invalid_grant when even the derived sub belongs to another source', async () => {
    repository.findSub.mockResolvedValue(null);
    repository.claim.mockResolvedValue(null);

    const error = await caught(sut.subjectFor(ISSUER_B, 'alice@example.com'));

    expect(error.code).toBe('invalid_grant');
    expect(repository.claim).toHaveBeenCalledTimes(2);
  });
});
