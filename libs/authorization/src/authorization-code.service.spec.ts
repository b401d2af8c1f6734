import { RegisteredClient } from '@app/clients';
import { AppConfig, FixedClock } from '@app/config';
import { hashToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  AuditLog,
  AuthorizationCodeRepository,
  ConsumedAuthorizationCode,
  GrantRepository,
} from '@app/persistence';

import { caught, mockOf } from '../../../test/mocks';
import { AuthorizationRequest } from './authorization-request';
import { AuthorizationCodeService } from './authorization-code.service';
import { LoginSession } from './login-session.service';

const CLIENT_ID = '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b';
const CLIENT = { clientId: CLIENT_ID, tokenGeneration: 7 };
const USER_ID = '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e';
const GRANT_ID = 'f7e6d5c4-b3a2-4190-8f7e-6d5c4b3a2190';
const ADDRESS = '192.0.2.7';
const config = { tokens: { codeTtlSeconds: 60 } } as AppConfig;

const request = {
  client: { clientId: CLIENT_ID } as RegisteredClient,
  redirectUri: 'https://app.example.com/cb',
  redirectUriSent: true,
  state: 'st',
  responseMode: 'query',
  scope: ['openid', 'userinfo'],
  nonce: 'n',
  promptNone: false,
  promptLogin: false,
  maxAgeSeconds: null,
  uiLocales: null,
  loginHint: null,
  acrValues: null,
  codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  codeChallengeMethod: 'S256',
  requestedClaims: null,
} satisfies AuthorizationRequest;

describe(AuthorizationCodeService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  const session: LoginSession = {
    idHash: Buffer.from('session'),
    sid: '5d3c1b2a-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
    userId: USER_ID,
    authTime: new Date('2030-01-01T11:00:00Z'),
    amr: ['pwd'],
  };
  const consumed: ConsumedAuthorizationCode = {
    codeHash: Buffer.from('hash'),
    clientId: CLIENT_ID,
    userId: USER_ID,
    redirectUri: request.redirectUri,
    redirectUriSent: true,
    scope: 'openid userinfo',
    nonce: 'n',
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: 'S256',
    authTime: session.authTime,
    amr: ['pwd'],
    requestedClaims: null,
    sid: session.sid,
    createdAt: clock.now(),
    expiresAt: clock.now(),
    grantId: GRANT_ID,
  };
  let codes: jest.Mocked<AuthorizationCodeRepository>;
  let grants: jest.Mocked<GrantRepository>;
  let audit: jest.Mocked<AuditLog>;
  let sut: AuthorizationCodeService;

  beforeEach(() => {
    codes = mockOf<AuthorizationCodeRepository>();
    grants = mockOf<GrantRepository>();
    audit = mockOf<AuditLog>();
    audit.recordQuietly.mockResolvedValue();
    sut = new AuthorizationCodeService(config, clock, codes, grants, audit);
  });

  it('issues 256 random bits, stored as a hash bound to the request and the session, alive CODE_TTL_SECONDS', async () => {
    codes.create.mockResolvedValue();

    const code = await sut.issue(request, session);

    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(codes.create).toHaveBeenCalledWith({
      codeHash: hashToken(code),
      clientId: CLIENT_ID,
      userId: USER_ID,
      redirectUri: request.redirectUri,
      redirectUriSent: true,
      scope: 'openid userinfo',
      nonce: 'n',
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: 'S256',
      authTime: session.authTime,
      amr: ['pwd'],
      requestedClaims: null,
      sessionIdHash: session.idHash,
      sid: session.sid,
      createdAt: clock.now(),
      expiresAt: new Date(clock.now().getTime() + 60_000),
    });
  });

  it('redeems a code once: consumes it for the client and hands over what it was bound to', async () => {
    codes.consume.mockResolvedValue(consumed);
    codes.isReplayed.mockResolvedValue(false);
    codes.grantStillStands.mockResolvedValue(true);
    const issueTokens = jest.fn().mockResolvedValue('tokens');

    const result = await sut.redeem('the-code', CLIENT, ADDRESS, issueTokens);

    expect(result).toBe('tokens');
    expect(codes.grantStillStands).toHaveBeenCalledWith(CLIENT_ID, 7, session.sid, clock.now());
    expect(codes.consume).toHaveBeenCalledWith(
      hashToken('the-code'),
      CLIENT_ID,
      expect.stringMatching(/^[0-9a-f-]{36}$/),
      clock.now(),
    );
    expect(issueTokens).toHaveBeenCalledWith({
      grantId: GRANT_ID,
      userId: USER_ID,
      redirectUri: request.redirectUri,
      redirectUriSent: true,
      scope: ['openid', 'userinfo'],
      nonce: 'n',
      codeChallenge: request.codeChallenge,
      codeChallengeMethod: 'S256',
      authTime: session.authTime,
      amr: ['pwd'],
      requestedClaims: null,
      sessionId: session.sid,
    });
  });

  it('revokes the grant of a code presented again, refuses it, and records it with the address', async () => {
    codes.consume.mockResolvedValue(null);
    codes.markReplayed.mockResolvedValue({ grantId: GRANT_ID });
    grants.revoke.mockResolvedValue();

    const error = await caught(sut.redeem('the-code', CLIENT, ADDRESS, jest.fn()));

    expect(error.code).toBe('invalid_grant');
    expect(grants.revoke).toHaveBeenCalledWith(GRANT_ID, clock.now());
    expect(audit.recordQuietly).toHaveBeenCalledWith({
      type: 'authorization_code.replayed',
      outcome: 'failure',
      clientId: CLIENT_ID,
      ip: ADDRESS,
      details: { grant_id: GRANT_ID },
    });
  });

  it('refuses an unknown code without revoking anything', async () => {
    codes.consume.mockResolvedValue(null);
    codes.markReplayed.mockResolvedValue(null);

    expect((await caught(sut.redeem('nope', CLIENT, ADDRESS, jest.fn()))).code).toBe(
      'invalid_grant',
    );
  });

  it('revokes what it just issued when a replay raced it', async () => {
    codes.consume.mockResolvedValue(consumed);
    codes.isReplayed.mockResolvedValue(true);
    grants.revoke.mockResolvedValue();

    const error = await caught(
      sut.redeem('the-code', CLIENT, ADDRESS, jest.fn().mockResolvedValue('tokens')),
    );

    expect(error.code).toBe('invalid_grant');
    expect(grants.revoke).toHaveBeenCalledWith(GRANT_ID, clock.now());
  });

  it('revokes what it just issued when its session ended or its client was revoked meanwhile', async () => {
    codes.consume.mockResolvedValue(consumed);
    codes.isReplayed.mockResolvedValue(false);
    codes.grantStillStands.mockResolvedValue(false);
    grants.revoke.mockResolvedValue();

    const error = await caught(
      sut.redeem('the-code', CLIENT, ADDRESS, jest.fn().mockResolvedValue('tokens')),
    );

    expect(error.code).toBe('invalid_grant');
    expect(grants.revoke).toHaveBeenCalledWith(GRANT_ID, clock.now());
  });

  it('lets a failed check of the caller through, with the code consumed', async () => {
    codes.consume.mockResolvedValue(consumed);
    const failure = new OAuthError(
      'invalid_grant',
      'The code_verifier does not match the code challenge.',
    );

    expect(
      await caught(sut.redeem('the-code', CLIENT, ADDRESS, jest.fn().mockRejectedValue(failure))),
    ).toBe(failure);
  });
});
