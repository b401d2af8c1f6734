import { OAuthError } from '@app/errors';

import { readClaimsRequest } from './claims-request';

describe(readClaimsRequest.name, () => {
  it('is null when the parameter is absent', () => {
    expect(readClaimsRequest(undefined)).toBeNull();
  });

  it('reads the claim names of userinfo and id_token, ignoring other members (Core §5.5)', () => {
    const raw = JSON.stringify({
      id_token: { email: null, auth_time: { essential: true } },
      userinfo: { name: { values: ['a', 'b'] } },
      other: 1,
    });
    expect(readClaimsRequest(raw)).toEqual({
      id_token: ['email', 'auth_time'],
      userinfo: ['name'],
    });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[]'],
    ['a member that is no object', '{"id_token":"email"}'],
    ['a claim that is neither null nor an object', '{"id_token":{"email":true}}'],
    ['essential that is no boolean', '{"userinfo":{"email":{"essential":"yes"}}}'],
    ['values that is no array', '{"userinfo":{"email":{"values":"a"}}}'],
  ])('refuses %s as invalid_request', (_, raw) => {
    expect(() => readClaimsRequest(raw)).toThrow(OAuthError);
    try {
      readClaimsRequest(raw);
    } catch (error) {
      expect((error as OAuthError).code).toBe('invalid_request');
    }
  });
});
