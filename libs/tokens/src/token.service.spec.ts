import { UserGroups } from '@app/accounts';
import { GrantType } from '@app/clients';
import { AppConfig, FixedClock } from '@app/config';
import { KeyStore } from '@app/keys';
import { GrantRepository, RefreshTokenRepository } from '@app/persistence';

import { registeredClient } from '../../../test/factories/registered-client.factory';

import { mockOf } from '../../../test/mocks';
import { ClientResponseProtector } from './client-response-protector';
import { TokenService } from './token.service';
import { UserClaimsCache } from './user-claims.cache';

const config = {
  issuer: { url: 'https://idp.example.com/uas' },
  tokens: { accessTokenTtlSeconds: 3600, idTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 86400 },
} as AppConfig;

describe(TokenService.name, () => {
  const clock = new FixedClock(new Date('2030-01-01T12:00:00Z'));
  let keys: jest.Mocked<KeyStore>;
  let grants: jest.Mocked<GrantRepository>;
  let refreshTokens: jest.Mocked<RefreshTokenRepository>;
  let protector: jest.Mocked<ClientResponseProtector>;
  let sut: TokenService;

  beforeEach(() => {
    keys = mockOf<KeyStore>();
    grants = mockOf<GrantRepository>();
    refreshTokens = mockOf<RefreshTokenRepository>();
    protector = mockOf<ClientResponseProtector>();
    sut = new TokenService(
      config,
      clock,
      keys,
      grants,
      refreshTokens,
      protector,
      mockOf<UserClaimsCache>(),
      mockOf<UserGroups>(),
    );
    keys.sign.mockResolvedValue('access-jwt');
    protector.protect.mockResolvedValue('id-jwt');
  });

  describe('issueAccessToken', () => {
    it('answers an access token alone, storing nothing, even for a client with the refresh grant and openid', async () => {
      const client = registeredClient([GrantType.ClientCredentials, GrantType.RefreshToken]);

      const result = await sut.issueAccessToken({
        client,
        subject: client.clientId,
        scope: ['openid'],
      });

      expect(result).toEqual({
        access_token: 'access-jwt',
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
      });
      const [payload] = keys.sign.mock.calls[0];
      expect(payload).not.toHaveProperty('gid');
      expect(payload).not.toHaveProperty('auth_time');
    });

    it("mints the client's token generation into the access token once its tokens were revoked", async () => {
      const client = { ...registeredClient([GrantType.ClientCredentials]), tokenGeneration: 2 };

      await sut.issueAccessToken({ client, subject: client.clientId, scope: [] });

      const [payload] = keys.sign.mock.calls[0];
      expect(payload).toEqual(expect.objectContaining({ cgen: 2 }));
    });
  });

  describe('issue', () => {
    const request = {
      subject: 'alice',
      userId: null,
      scope: ['openid'],
      authTime: new Date('2030-01-01T11:00:00Z'),
      amr: ['pwd'],
    };

    it('records the grant with a refresh token when the client registered the refresh grant', async () => {
      refreshTokens.createWithGrant.mockResolvedValue();

      const result = await sut.issue({
        client: registeredClient([GrantType.Password, GrantType.RefreshToken]),
        ...request,
      });

      expect(result).toEqual(
        expect.objectContaining({ id_token: 'id-jwt', refresh_token: expect.any(String) }),
      );
      const [grant, token] = refreshTokens.createWithGrant.mock.calls[0];
      expect(grant).toEqual(expect.objectContaining({ subject: 'alice', scope: 'openid' }));
      expect(token).toEqual({
        tokenHash: expect.any(Buffer),
        scope: 'openid',
        createdAt: clock.now(),
        expiresAt: new Date(clock.now().getTime() + 86400_000),
      });
    });

    it('records the grant without a refresh token otherwise', async () => {
      grants.create.mockResolvedValue();

      const result = await sut.issue({
        client: registeredClient([GrantType.Password]),
        ...request,
      });

      expect(result).not.toHaveProperty('refresh_token');
      expect(grants.create).toHaveBeenCalledWith(
        expect.objectContaining({ subject: 'alice' }),
        clock.now(),
      );
    });
  });
});
