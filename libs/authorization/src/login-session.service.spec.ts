import { FixedClock } from '@app/config';
import { hashToken } from '@app/crypto';
import {
  AuditContext,
  AuditLog,
  BackchannelLogoutRepository,
  Database,
  GrantRepository,
  LoginSessionRecord,
  LoginSessionRepository,
  SessionEndings,
  Transaction,
} from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { LOGIN_SESSION_TTL_SECONDS, LoginSessionService } from './login-session.service';

const USER_ID = '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e';
const OTHER_USER = '1c1f3d5f-2a6b-4d4c-8e9f-8a7b6c5d4e3f';
const SID = '5d3c1b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
/** The request that starts or ends sessions: a browser, or an administrator. */
const BROWSER: AuditContext = { actor: null, ip: '192.0.2.7' };
const ADMIN: AuditContext = { actor: 'admin_token', ip: '198.51.100.4' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe(LoginSessionService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  const tx = mockOf<Transaction>();
  let db: jest.Mocked<Database>;
  let sessions: jest.Mocked<LoginSessionRepository>;
  let grants: jest.Mocked<GrantRepository>;
  let backchannel: jest.Mocked<BackchannelLogoutRepository>;
  let audit: jest.Mocked<AuditLog>;
  let sut: LoginSessionService;

  const record = (token: string, userId = USER_ID): LoginSessionRecord => ({
    idHash: hashToken(token),
    sid: SID,
    userId,
    authTime: clock.now(),
    amr: ['pwd'],
    createdAt: clock.now(),
    expiresAt: clock.now(),
  });

  beforeEach(() => {
    db = mockOf<Database>();
    db.transaction.mockImplementation(async (fn) => fn(tx));
    db.propagateChanges.mockResolvedValue();
    sessions = mockOf<LoginSessionRepository>();
    grants = mockOf<GrantRepository>();
    grants.revokeForEndedSessions.mockResolvedValue();
    grants.revokeByUser.mockResolvedValue();
    backchannel = mockOf<BackchannelLogoutRepository>();
    backchannel.enqueueForSessions.mockResolvedValue(1);
    backchannel.wake.mockReturnValue();
    audit = mockOf<AuditLog>();
    audit.record.mockResolvedValue();
    sut = new LoginSessionService(
      db,
      sessions,
      grants,
      clock,
      new SessionEndings(db, backchannel, audit),
    );
  });

  it('starts a session of 256 random bits with a random sid, and stores only their hash', async () => {
    sessions.create.mockResolvedValue();

    const { token, session } = await sut.start(USER_ID, ['pwd'], null, BROWSER);

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({
      idHash: hashToken(token),
      sid: expect.stringMatching(UUID),
      userId: USER_ID,
      authTime: clock.now(),
      amr: ['pwd'],
    });
    expect(sessions.create).toHaveBeenCalledWith({
      ...session,
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + LOGIN_SESSION_TTL_SECONDS * 1000),
    });
  });

  it("renews the same user's session under a new cookie value, keeping its sid", async () => {
    const old = 'C'.repeat(43);
    sessions.renew.mockImplementation(async (_old, _user, next) => ({
      ...record(old),
      ...next,
    }));

    const { token, session } = await sut.start(USER_ID, ['pwd'], old, BROWSER);

    expect(token).not.toBe(old);
    expect(session.idHash).toEqual(hashToken(token));
    expect(session.sid).toBe(SID);
    expect(sessions.renew).toHaveBeenCalledWith(
      hashToken(old),
      USER_ID,
      expect.objectContaining({ idHash: hashToken(token) }),
      clock.now(),
    );
    expect(sessions.create).not.toHaveBeenCalled();
    expect(sessions.delete).not.toHaveBeenCalled();
  });

  it("ends another user's session (as a logout) before starting a new one", async () => {
    const old = 'D'.repeat(43);
    sessions.renew.mockResolvedValue(null);
    sessions.delete.mockResolvedValue({ sid: SID, userId: OTHER_USER });
    sessions.create.mockResolvedValue();

    const { session } = await sut.start(USER_ID, ['pwd'], old, BROWSER);

    expect(sessions.delete).toHaveBeenCalledWith(hashToken(old), tx);
    expect(grants.revokeForEndedSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(backchannel.enqueueForSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(audit.record).toHaveBeenCalledWith(
      {
        type: 'logout',
        outcome: 'success',
        subject: OTHER_USER,
        actor: null,
        ip: BROWSER.ip,
        details: { sid: SID, reason: 'another_user_signed_in' },
      },
      tx,
    );
    expect(backchannel.wake).toHaveBeenCalled();
    expect(session.sid).not.toBe(SID);
  });

  it('finds a live session by the hash of the cookie value', async () => {
    const token = 'A'.repeat(43);
    sessions.findActive.mockResolvedValue(record(token));

    expect(await sut.find(token)).toEqual({
      idHash: hashToken(token),
      sid: SID,
      userId: USER_ID,
      authTime: clock.now(),
      amr: ['pwd'],
    });
    expect(sessions.findActive).toHaveBeenCalledWith(hashToken(token), clock.now());
  });

  it.each([null, '', 'short', `${'A'.repeat(42)}=`])(
    'does not look up a cookie value we cannot have issued: %p',
    async (token) => {
      expect(await sut.find(token)).toBeNull();
      expect(await sut.end(token, BROWSER)).toBeNull();
      expect(sessions.findActive).not.toHaveBeenCalled();
      expect(db.transaction).not.toHaveBeenCalled();
    },
  );

  it('ends a session in one transaction: its grants revoked, its logouts queued, then the sender woken', async () => {
    sessions.delete.mockResolvedValue({ sid: SID, userId: USER_ID });

    expect(await sut.end('B'.repeat(43), BROWSER)).toEqual({ sid: SID, userId: USER_ID });

    expect(sessions.delete).toHaveBeenCalledWith(hashToken('B'.repeat(43)), tx);
    expect(grants.revokeForEndedSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(backchannel.enqueueForSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(audit.record).toHaveBeenCalledWith(
      {
        type: 'logout',
        outcome: 'success',
        subject: USER_ID,
        actor: null,
        ip: BROWSER.ip,
        details: { sid: SID, reason: 'logout' },
      },
      tx,
    );
    expect(db.propagateChanges).toHaveBeenCalled();
    expect(backchannel.wake).toHaveBeenCalled();
  });

  it('ending an unknown session changes nothing', async () => {
    sessions.delete.mockResolvedValue(null);

    expect(await sut.end('E'.repeat(43), BROWSER)).toBeNull();

    expect(grants.revokeForEndedSessions).not.toHaveBeenCalled();
    expect(backchannel.wake).not.toHaveBeenCalled();
  });

  it("an administrator's end of every session also revokes every grant of the user", async () => {
    sessions.deleteByUser.mockResolvedValue([{ sid: SID, userId: USER_ID }]);

    expect(await sut.endAllForUser(USER_ID, ADMIN)).toBe(1);

    expect(grants.revokeForEndedSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(backchannel.enqueueForSessions).toHaveBeenCalledWith([SID], clock.now(), tx);
    expect(audit.record).toHaveBeenCalledWith(
      {
        type: 'logout',
        outcome: 'success',
        subject: USER_ID,
        actor: 'admin_token',
        ip: ADMIN.ip,
        details: { sid: SID, reason: 'admin' },
      },
      tx,
    );
    expect(grants.revokeByUser).toHaveBeenCalledWith(USER_ID, clock.now(), tx);
    expect(backchannel.wake).toHaveBeenCalled();
  });
});
