import { OAuthError } from '@app/errors';

import { readClaimsRequest, withEssentialAcr } from './claims-request';

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

describe(withEssentialAcr.name, () => {
  const MFA = 'urn:uas:acr:mfa';
  const PWD = 'urn:uas:acr:pwd';
  const claims = (acr: unknown, target = 'id_token') => JSON.stringify({ [target]: { acr } });

  it.each([
    ['values naming only the second factor', claims({ essential: true, values: [MFA] })],
    ['value naming it', claims({ essential: true, value: MFA })],
    ['the same asked of UserInfo', claims({ essential: true, values: [MFA] }, 'userinfo')],
  ])('asks for the second factor for an essential acr with %s (Core §5.5.1.1)', (_, raw) => {
    expect(withEssentialAcr(null, raw)).toBe(MFA);
    expect(withEssentialAcr('urn:other', raw)).toBe(`urn:other ${MFA}`);
  });

  it.each([
    ['no claims parameter', undefined],
    ['an acr that is not essential', claims({ values: [MFA] })],
    ['an essential acr the password also meets', claims({ essential: true, values: [PWD, MFA] })],
    ['an essential acr without values', claims({ essential: true })],
    ['only other claims', JSON.stringify({ id_token: { email: null } })],
  ])('leaves acr_values as they are for %s', (_, raw) => {
    expect(withEssentialAcr(null, raw)).toBeNull();
    expect(withEssentialAcr(PWD, raw)).toBe(PWD);
  });
});
