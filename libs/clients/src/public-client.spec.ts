import { ClientAuthMethod } from './client-auth-method';
import { GRANT_TYPE_ORDER, GrantType } from './grant-type';
import { isGrantTypeAllowed, isPublicClient } from './public-client';

const publicClient = { metadata: { token_endpoint_auth_method: ClientAuthMethod.None } };
const confidentialClient = {
  metadata: { token_endpoint_auth_method: ClientAuthMethod.ClientSecretBasic },
};

describe('public-client rule', () => {
  describe(isPublicClient.name, () => {
    it('is true for token_endpoint_auth_method none', () => {
      expect(isPublicClient(publicClient)).toBe(true);
    });

    it.each([
      ClientAuthMethod.ClientSecretBasic,
      ClientAuthMethod.ClientSecretPost,
      ClientAuthMethod.ClientSecretJwt,
      ClientAuthMethod.PrivateKeyJwt,
    ])('is false for %s', (method) => {
      expect(isPublicClient({ metadata: { token_endpoint_auth_method: method } })).toBe(false);
    });
  });

  describe(isGrantTypeAllowed.name, () => {
    it.each([GrantType.AuthorizationCode, GrantType.RefreshToken])(
      'allows a public client %s',
      (grantType) => {
        expect(isGrantTypeAllowed(publicClient, grantType)).toBe(true);
      },
    );

    it.each([
      GrantType.Password,
      GrantType.ClientCredentials,
      GrantType.Saml2Bearer,
      GrantType.SmsOtp,
      GrantType.SmtpOtp,
    ])('refuses a public client %s', (grantType) => {
      expect(isGrantTypeAllowed(publicClient, grantType)).toBe(false);
    });

    it('refuses a public client a grant type this server does not know', () => {
      expect(isGrantTypeAllowed(publicClient, 'urn:ietf:params:oauth:grant-type:device_code')).toBe(
        false,
      );
    });

    it.each(GRANT_TYPE_ORDER)('allows a confidential client %s', (grantType) => {
      expect(isGrantTypeAllowed(confidentialClient, grantType)).toBe(true);
    });
  });
});
