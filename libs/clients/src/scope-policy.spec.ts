import { RegisteredClient } from './client';
import {
  allowedClaimNames,
  allowedScopes,
  releasedClaimScopes,
  resolveScope,
  SUPPORTED_SCOPES,
} from './scope-policy';

function client(scope?: string): RegisteredClient {
  return { metadata: scope === undefined ? {} : { scope } } as unknown as RegisteredClient;
}

describe('scope policy', () => {
  describe(allowedScopes.name, () => {
    it('allows every supported scope to a client that registered none', () => {
      expect(allowedScopes(client())).toEqual(SUPPORTED_SCOPES);
    });

    it('allows a client its registered scopes only', () => {
      expect(allowedScopes(client('openid email'))).toEqual(['openid', 'email']);
    });

    it('adds every claim scope when the registered scope includes userinfo', () => {
      expect([...allowedScopes(client('openid userinfo'))].sort()).toEqual(
        ['address', 'email', 'groups', 'openid', 'phone', 'profile', 'userinfo'].sort(),
      );
    });
  });

  describe(resolveScope.name, () => {
    it('grants what was asked, in order, once each', () => {
      expect(resolveScope('openid profile email profile', client())).toEqual([
        'openid',
        'profile',
        'email',
      ]);
    });

    it('ignores values the server does not know (Core §3.1.2.1)', () => {
      expect(resolveScope('openid write:all email', client())).toEqual(['openid', 'email']);
    });

    it('leaves out values the client may not have (RFC 6749 §3.3)', () => {
      expect(resolveScope('openid profile email phone', client('openid email'))).toEqual([
        'openid',
        'email',
      ]);
    });

    it('grants nothing when nothing was asked', () => {
      expect(resolveScope(undefined, client())).toEqual([]);
      expect(resolveScope('', client())).toEqual([]);
    });
  });

  describe(releasedClaimScopes.name, () => {
    it('releases the claim scopes a request names', () => {
      expect(releasedClaimScopes(['openid', 'email'], client())).toEqual(['email']);
    });

    it('releases every claim scope the client may have when the request names none', () => {
      expect(releasedClaimScopes(['openid'], client('openid profile email'))).toEqual([
        'profile',
        'email',
      ]);
      expect(releasedClaimScopes(['userinfo'], client()).sort()).toEqual(
        ['address', 'email', 'groups', 'phone', 'profile'].sort(),
      );
    });

    it('releases nothing to a token that is no OpenID one', () => {
      expect(releasedClaimScopes(['offline_access'], client())).toEqual([]);
    });

    it('never releases more on a narrowed refresh than the grant did', () => {
      const grant = ['openid', 'email'];
      expect(releasedClaimScopes(['openid'], client(), grant)).toEqual(['email']);
      expect(releasedClaimScopes(['openid', 'email'], client(), grant)).toEqual(['email']);
      expect(releasedClaimScopes(['offline_access'], client(), grant)).toEqual([]);
    });

    it('narrows a grant that released every claim scope to those the refresh names', () => {
      expect(releasedClaimScopes(['openid', 'phone'], client(), ['openid'])).toEqual(['phone']);
    });
  });

  describe(allowedClaimNames.name, () => {
    it('is the claims of the claim scopes the client may have', () => {
      expect([...allowedClaimNames(client('openid email'))]).toEqual(['email', 'email_verified']);
    });
  });
});
