import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import {
  AuditContext,
  AuditLog,
  BackchannelLogoutRepository,
  AuthorizationCodeRepository,
  Database,
  GrantRepository,
  LoginSessionRepository,
  SessionEndings,
  Transaction,
  UserRecord,
  UserRepository,
} from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { AccountService } from './account.service';
import { PasswordHasher } from './password-hasher';

const NOW = new Date('2025-06-01T12:00:00Z');
const SID = '6f1c2a9e-3d4b-4c5a-8e7f-0a1b2c3d4e5f';
const ADMIN: AuditContext = { actor: 'admin_token', ip: '192.0.2.7' };

function record(overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    id: '6f1c1c1e-7d43-4f7e-9a53-0d9b7f0b5a11',
    username: 'alice',
    passwordHash: '$argon2id$hash',
    claims: {},
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return error.code;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe(AccountService.name, () => {
  const tx: Transaction = mockOf<Transaction>();
  let db: jest.Mocked<Database>;
  let users: jest.Mocked<UserRepository>;
  let grants: jest.Mocked<GrantRepository>;
  let loginSessions: jest.Mocked<LoginSessionRepository>;
  let codes: jest.Mocked<AuthorizationCodeRepository>;
  let hasher: jest.Mocked<PasswordHasher>;
  let backchannel: jest.Mocked<BackchannelLogoutRepository>;
  let audit: jest.Mocked<AuditLog>;
  let sut: AccountService;

  beforeEach(() => {
    db = mockOf<Database>();
    db.transaction.mockImplementation(async (fn) => fn(tx));
    db.propagateChanges.mockResolvedValue();
    users = mockOf<UserRepository>();
    users.lockForChange.mockResolvedValue();
    grants = mockOf<GrantRepository>();
    grants.revokeByUser.mockResolvedValue();
    loginSessions = mockOf<LoginSessionRepository>();
    loginSessions.deleteByUser.mockResolvedValue([{ sid: SID, userId: record().id }]);
    backchannel = mockOf<BackchannelLogoutRepository>();
    backchannel.enqueueForSessions.mockResolvedValue(1);
    backchannel.wake.mockReturnValue();
    audit = mockOf<AuditLog>();
    audit.record.mockResolvedValue();
    codes = mockOf<AuthorizationCodeRepository>();
    codes.deleteUnredeemedByUser.mockResolvedValue();
    hasher = mockOf<PasswordHasher>();
    hasher.hash.mockImplementation(async (password) => `hashed(${password})`);
    sut = new AccountService(
      db,
      users,
      grants,
      loginSessions,
      codes,
      hasher,
      new FixedClock(NOW),
      new SessionEndings(db, backchannel, audit),
      audit,
    );
  });

  it('stores the argon2 hash, never the password', async () => {
    users.create.mockImplementation(async (u) => record(u));

    await sut.create({ username: 'alice', password: 'correct horse', claims: {} });

    expect(users.create).toHaveBeenCalledWith(
      expect.objectContaining({ passwordHash: 'hashed(correct horse)' }),
    );
    expect(JSON.stringify(users.create.mock.calls)).not.toContain('"correct horse"');
  });

  it('returns an account without the hash', async () => {
    users.create.mockImplementation(async (u) => record(u));

    const account = await sut.create({
      username: 'alice',
      password: 'correct horse',
      claims: { email: 'a@example.com' },
    });

    expect(account).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: 'alice',
      claims: { email: 'a@example.com' },
      source: 'local',
      createdAt: NOW,
      updatedAt: NOW,
    });
  });

  it('answers conflict when the username is taken', async () => {
    users.create.mockResolvedValue(null);

    expect(
      await codeOf(sut.create({ username: 'alice', password: 'correct horse', claims: {} })),
    ).toBe('conflict');
  });

  it('refuses a password the policy refuses before hashing anything', async () => {
    expect(await codeOf(sut.create({ username: 'alice', password: 'short', claims: {} }))).toBe(
      'invalid_request',
    );
    expect(hasher.hash).not.toHaveBeenCalled();
  });

  it('stores only known claim names', async () => {
    users.create.mockImplementation(async (u) => record(u));

    await sut.create({
      username: 'alice',
      password: 'correct horse',
      claims: { email: 'a@example.com', role: 'admin' } as never,
    });

    expect(users.create).toHaveBeenCalledWith(
      expect.objectContaining({ claims: { email: 'a@example.com' } }),
    );
  });

  it('checks a new password against the stored username', async () => {
    users.findById.mockResolvedValue(record({ username: 'Alice.Smith' }));

    expect(await codeOf(sut.patch(record().id, { password: 'alice.smith' }, ADMIN))).toBe(
      'invalid_request',
    );
  });

  it('hashes a new password on patch', async () => {
    users.findById.mockResolvedValue(record());
    users.update.mockImplementation(async () => record());

    await sut.patch(record().id, { password: 'new password 1' }, ADMIN);

    expect(users.update).toHaveBeenCalledWith(
      record().id,
      { passwordHash: 'hashed(new password 1)', claims: undefined },
      NOW,
      tx,
    );
  });

  it('revokes the grants and ends the sessions of the user in the transaction of a new password, then propagates', async () => {
    users.findById.mockResolvedValue(record());
    users.update.mockImplementation(async () => record());

    await sut.patch(record().id, { password: 'new password 1' }, ADMIN);

    expect(grants.revokeByUser).toHaveBeenCalledWith(record().id, NOW, tx);
    expect(loginSessions.deleteByUser).toHaveBeenCalledWith(record().id, tx);
    expect(backchannel.enqueueForSessions).toHaveBeenCalledWith([SID], NOW, tx);
    expect(audit.record).toHaveBeenCalledWith(
      {
        type: 'logout',
        outcome: 'success',
        subject: record().id,
        actor: ADMIN.actor,
        ip: ADMIN.ip,
        details: { sid: SID, reason: 'password_changed' },
      },
      tx,
    );
    expect(backchannel.wake).toHaveBeenCalled();
    expect(codes.deleteUnredeemedByUser).toHaveBeenCalledWith(record().id, tx);
    expect(db.propagateChanges).toHaveBeenCalled();
  });

  it('ends the sessions of a deleted user in the deleting transaction, then propagates', async () => {
    users.delete.mockResolvedValue(true);

    expect(await sut.delete(record().id, ADMIN)).toBe(true);

    expect(loginSessions.deleteByUser).toHaveBeenCalledWith(record().id, tx);
    // Locked first: no session can be added between their ending and the deletion.
    expect(users.lockForChange.mock.invocationCallOrder[0]).toBeLessThan(
      loginSessions.deleteByUser.mock.invocationCallOrder[0],
    );
    // Queued before the user (and by the cascade its grants) goes: the queue reads the grants.
    expect(backchannel.enqueueForSessions.mock.invocationCallOrder[0]).toBeLessThan(
      users.delete.mock.invocationCallOrder[0],
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        type: 'logout',
        actor: ADMIN.actor,
        details: { sid: SID, reason: 'user_deleted' },
      }),
      tx,
    );
    expect(users.delete).toHaveBeenCalledWith(record().id, tx);
    expect(db.propagateChanges).toHaveBeenCalled();
    expect(backchannel.wake).toHaveBeenCalled();
  });

  it('deletes nothing and tells no one for an unknown user', async () => {
    users.delete.mockResolvedValue(false);

    expect(await sut.delete(record().id, ADMIN)).toBe(false);
    expect(await sut.delete('not-a-uuid', ADMIN)).toBe(false);

    expect(db.transaction).toHaveBeenCalledTimes(1);
    expect(db.propagateChanges).not.toHaveBeenCalled();
    expect(backchannel.wake).not.toHaveBeenCalled();
  });

  it('revokes nothing when only claims change', async () => {
    users.update.mockImplementation(async () => record());

    await sut.patch(record().id, { claims: { name: 'Alice' } }, ADMIN);

    expect(grants.revokeByUser).not.toHaveBeenCalled();
    expect(loginSessions.deleteByUser).not.toHaveBeenCalled();
    expect(codes.deleteUnredeemedByUser).not.toHaveBeenCalled();
  });

  it('passes null claims on, so the repository removes them', async () => {
    users.update.mockImplementation(async () => record());

    await sut.patch(record().id, { claims: { email: null, name: 'Alice' } }, ADMIN);

    expect(users.update).toHaveBeenCalledWith(
      record().id,
      { passwordHash: undefined, claims: { email: null, name: 'Alice' } },
      NOW,
    );
  });

  describe('renaming', () => {
    beforeEach(() => {
      users.findById.mockResolvedValue(record());
      users.usernameForChange.mockResolvedValue({ username: 'alice', directoryLinked: false });
    });

    it('stores the new username with the rest of the patch in the locked transaction, records it, then propagates', async () => {
      users.update.mockImplementation(async () => record({ username: 'Alicia' }));

      const account = await sut.patch(
        record().id,
        { username: 'Alicia', claims: { name: 'Alicia' } },
        ADMIN,
      );

      expect(account?.username).toBe('Alicia');
      expect(users.update).toHaveBeenCalledWith(
        record().id,
        { username: 'Alicia', passwordHash: undefined, claims: { name: 'Alicia' } },
        NOW,
        tx,
      );
      expect(users.lockForChange).toHaveBeenCalledWith(record().id, tx);
      expect(users.lockForChange.mock.invocationCallOrder[0]).toBeLessThan(
        users.usernameForChange.mock.invocationCallOrder[0],
      );
      expect(audit.record).toHaveBeenCalledWith(
        {
          type: 'user.renamed',
          outcome: 'success',
          subject: record().id,
          actor: ADMIN.actor,
          ip: ADMIN.ip,
          details: { previous_username: 'alice', username: 'Alicia' },
        },
        tx,
      );
      expect(db.propagateChanges).toHaveBeenCalled();
      // A rename alone ends nothing: tokens and sessions are the user's, by id.
      expect(grants.revokeByUser).not.toHaveBeenCalled();
      expect(loginSessions.deleteByUser).not.toHaveBeenCalled();
    });

    it('renames to another letter case of the own name', async () => {
      users.update.mockImplementation(async () => record({ username: 'ALICE' }));

      expect((await sut.patch(record().id, { username: 'ALICE' }, ADMIN))?.username).toBe('ALICE');
      expect(users.update).toHaveBeenCalledWith(
        record().id,
        expect.objectContaining({ username: 'ALICE' }),
        NOW,
        tx,
      );
    });

    it('changes and records nothing of the username when it is the stored one exactly', async () => {
      users.update.mockImplementation(async () => record());

      await sut.patch(record().id, { username: 'alice' }, ADMIN);

      expect(users.update).toHaveBeenCalledWith(
        record().id,
        { username: undefined, passwordHash: undefined, claims: undefined },
        NOW,
        tx,
      );
      expect(audit.record).not.toHaveBeenCalled();
    });

    it('answers conflict for a name another user holds, recording and propagating nothing', async () => {
      users.update.mockResolvedValue('username_taken');

      expect(
        await codeOf(
          sut.patch(record().id, { username: 'bob', password: 'new password 1' }, ADMIN),
        ),
      ).toBe('conflict');
      expect(audit.record).not.toHaveBeenCalled();
      expect(grants.revokeByUser).not.toHaveBeenCalled();
      expect(db.propagateChanges).not.toHaveBeenCalled();
    });

    it('refuses to rename a user of a directory, on the username field, before any change', async () => {
      users.usernameForChange.mockResolvedValue({ username: 'alice', directoryLinked: true });

      const error = await sut
        .patch(record().id, { username: 'alicia', claims: { name: 'A' } }, ADMIN)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(OAuthError);
      expect((error as OAuthError).code).toBe('invalid_request');
      expect((error as OAuthError).options.fields?.map((f) => f.field)).toEqual(['username']);
      expect(users.update).not.toHaveBeenCalled();
    });

    it('checks a new password in the same patch against the new username too', async () => {
      expect(
        await codeOf(
          sut.patch(record().id, { username: 'Bob.Smith', password: 'bob.smith' }, ADMIN),
        ),
      ).toBe('invalid_request');
      expect(hasher.hash).not.toHaveBeenCalled();
    });
  });

  it('answers null when patching an unknown user', async () => {
    users.findById.mockResolvedValue(null);

    expect(await sut.patch(record().id, { password: 'new password 1' }, ADMIN)).toBeNull();
  });

  it('pages by username with an opaque cursor', async () => {
    users.list.mockResolvedValueOnce([
      record({ username: 'a' }),
      record({ username: 'b' }),
      record({ username: 'c' }),
    ]);
    users.list.mockResolvedValueOnce([record({ username: 'c' })]);

    const first = await sut.list(2, null, null);
    const second = await sut.list(2, first.nextCursor, null);

    expect(first.items.map((u) => u.username)).toEqual(['a', 'b']);
    expect(users.list).toHaveBeenNthCalledWith(1, 3, null, null);
    expect(users.list).toHaveBeenNthCalledWith(2, 3, 'b', null);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses a cursor it did not make', async () => {
    expect(await codeOf(sut.list(2, 'not-a-cursor', null))).toBe('invalid_request');
  });
});
