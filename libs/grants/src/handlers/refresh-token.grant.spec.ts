import { GrantType } from '@app/clients';
import { FixedClock } from '@app/config';
import { hashToken } from '@app/crypto';
import { AuditLog, ConsumedRefreshToken, Database, RefreshTokenRepository } from '@app/persistence';
import { MintedRefreshToken, TokenResponse, TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { RefreshTokenGrant } from './refresh-token.grant';

const client = registeredClient([GrantType.Password, GrantType.RefreshToken]);
const tokenResponse: TokenResponse = {
  access_token: 'at',
  token_type: 'Bearer',
  expires_in: 3600,
  scope: 'openid',
};
const next: MintedRefreshToken = {
  value: 'next',
  tokenHash: Buffer.from('next-hash'),
  expiresAt: new Date('2030-01-15T12:00:00Z'),
};
const consumed: ConsumedRefreshToken = {
  grant: {
    id: 'f7e6d5c4-b3a2-4190-8f7e-6d5c4b3a2190',
    clientId: client.clientId,
    userId: '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e',
    subject: '0b0e2c4e-1f5a-4c3b-9d8e-7f6a5b4c3d2e',
    scope: 'openid userinfo',
    authTime: new Date('2030-01-01T11:00:00Z'),
    amr: ['pwd'],
    claims: {},
    requestedClaims: null,
  },
  scope: 'openid userinfo',
};

describe(RefreshTokenGrant.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  const tx = { query: jest.fn() };
  const presented = hashToken('presented');
  let db: jest.Mocked<Database>;
  let refreshTokens: jest.Mocked<RefreshTokenRepository>;
  let tokens: jest.Mocked<TokenService>;
  let audit: jest.Mocked<AuditLog>;
  let sut: RefreshTokenGrant;

  beforeEach(() => {
    db = mockOf<Database>();
    refreshTokens = mockOf<RefreshTokenRepository>();
    tokens = mockOf<TokenService>();
    audit = mockOf<AuditLog>();
    audit.recordQuietly.mockResolvedValue();
    sut = new RefreshTokenGrant(db, refreshTokens, tokens, clock, audit);
    tokens.mintRefreshToken.mockReturnValue(next);
    tokens.reissue.mockResolvedValue(tokenResponse);
    db.transaction.mockImplementation((fn) => fn(tx as never));
  });

  describe('rotation', () => {
    it('consumes the presented token and stores its successor in one step, answering the successor', async () => {
      refreshTokens.rotate.mockResolvedValue(consumed);

      const result = await sut.handle({ client, params: { refresh_token: 'presented' } });

      expect(result).toBe(tokenResponse);
      expect(tokens.mintRefreshToken).toHaveBeenCalledWith(clock.now());
      expect(refreshTokens.rotate).toHaveBeenCalledWith(presented, client.clientId, clock.now(), {
        tokenHash: next.tokenHash,
        expiresAt: next.expiresAt,
      });
      expect(tokens.reissue).toHaveBeenCalledWith({
        client,
        grant: consumed.grant,
        scope: 'openid userinfo',
        refreshToken: next,
      });
    });

    it('answers invalid_grant for a token it cannot consume, and revokes the grant when that token was used before', async () => {
      refreshTokens.rotate.mockResolvedValue(null);
      refreshTokens.revokeGrantOfUsedToken.mockResolvedValue(true);

      const error = await caught(
        sut.handle({
          client,
          params: { refresh_token: 'presented' },
          clientAddress: '192.0.2.7',
        }),
      );

      expect(error.code).toBe('invalid_grant');
      expect(refreshTokens.revokeGrantOfUsedToken).toHaveBeenCalledWith(
        presented,
        client.clientId,
        clock.now(),
      );
      expect(tokens.reissue).not.toHaveBeenCalled();
      expect(audit.recordQuietly).toHaveBeenCalledWith({
        type: 'refresh_token.reuse_detected',
        outcome: 'failure',
        clientId: client.clientId,
        ip: '192.0.2.7',
      });
    });

    it('gives the same answer for a token that was never issued', async () => {
      refreshTokens.rotate.mockResolvedValue(null);
      refreshTokens.revokeGrantOfUsedToken.mockResolvedValue(false);

      const error = await caught(sut.handle({ client, params: { refresh_token: 'unknown' } }));

      expect(error.code).toBe('invalid_grant');
    });

    it('requires refresh_token', async () => {
      const error = await caught(sut.handle({ client, params: {} }));

      expect(error.code).toBe('invalid_request');
    });

    it('treats a blank scope as no scope', async () => {
      refreshTokens.rotate.mockResolvedValue(consumed);

      await sut.handle({ client, params: { refresh_token: 'presented', scope: '  ' } });

      expect(refreshTokens.rotate).toHaveBeenCalled();
      expect(db.transaction).not.toHaveBeenCalled();
    });
  });

  describe('narrowing', () => {
    it("answers the narrower scope, and gives the successor the presented token's scope (RFC 6749 §6)", async () => {
      refreshTokens.consume.mockResolvedValue(consumed);
      refreshTokens.create.mockResolvedValue();

      await sut.handle({ client, params: { refresh_token: 'presented', scope: 'openid openid' } });

      expect(refreshTokens.consume).toHaveBeenCalledWith(
        presented,
        client.clientId,
        clock.now(),
        tx,
      );
      expect(refreshTokens.create).toHaveBeenCalledWith(
        {
          tokenHash: next.tokenHash,
          grantId: consumed.grant.id,
          clientId: client.clientId,
          scope: 'openid userinfo',
          createdAt: clock.now(),
          expiresAt: next.expiresAt,
        },
        tx,
      );
      expect(tokens.reissue).toHaveBeenCalledWith({
        client,
        grant: consumed.grant,
        scope: 'openid',
        refreshToken: next,
      });
    });

    it("refuses a scope beyond the presented token's with invalid_scope, storing no successor", async () => {
      refreshTokens.consume.mockResolvedValue({ ...consumed, scope: 'openid' });

      const error = await caught(
        sut.handle({ client, params: { refresh_token: 'presented', scope: 'openid userinfo' } }),
      );

      expect(error.code).toBe('invalid_scope');
      expect(refreshTokens.create).not.toHaveBeenCalled();
      // Thrown inside the transaction, so the consumption rolls back: the token stays usable.
      expect(db.transaction).toHaveBeenCalledTimes(1);
      expect(tokens.reissue).not.toHaveBeenCalled();
    });

    it('answers invalid_grant for a token it cannot consume, and revokes the grant when that token was used before', async () => {
      refreshTokens.consume.mockResolvedValue(null);
      refreshTokens.revokeGrantOfUsedToken.mockResolvedValue(true);

      const error = await caught(
        sut.handle({ client, params: { refresh_token: 'presented', scope: 'openid' } }),
      );

      expect(error.code).toBe('invalid_grant');
      expect(refreshTokens.create).not.toHaveBeenCalled();
      expect(refreshTokens.revokeGrantOfUsedToken).toHaveBeenCalledWith(
        presented,
        client.clientId,
        clock.now(),
      );
    });
  });
});
