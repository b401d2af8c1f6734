import { FixedClock } from '@app/config';
import { hashToken } from '@app/crypto';
import { LoginSessionRepository } from '@app/persistence';

import { mockOf } from '../../../test/mocks';
import { LOGIN_SESSION_TTL_SECONDS, LoginSessionService } from './login-session.service';

const USER_ID = '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e';

describe(LoginSessionService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let sessions: jest.Mocked<LoginSessionRepository>;
  let sut: LoginSessionService;

  beforeEach(() => {
    sessions = mockOf<LoginSessionRepository>();
    sut = new LoginSessionService(sessions, clock);
  });

  it('starts a session of 256 random bits and stores only their hash', async () => {
    sessions.create.mockResolvedValue();

    const { token, session } = await sut.start(USER_ID, ['pwd']);

    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).toEqual({
      idHash: hashToken(token),
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

  it('finds a live session by the hash of the cookie value', async () => {
    const token = 'A'.repeat(43);
    const record = {
      idHash: hashToken(token),
      userId: USER_ID,
      authTime: clock.now(),
      amr: ['pwd'],
      createdAt: clock.now(),
      expiresAt: clock.now(),
    };
    sessions.findActive.mockResolvedValue(record);

    expect(await sut.find(token)).toEqual({
      idHash: record.idHash,
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
      await sut.end(token);
    },
  );

  it('ends a session by the hash of the cookie value', async () => {
    sessions.delete.mockResolvedValue();

    await sut.end('B'.repeat(43));

    expect(sessions.delete).toHaveBeenCalledWith(hashToken('B'.repeat(43)));
  });
});
