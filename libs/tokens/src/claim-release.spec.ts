import { UserAccount } from '@app/accounts';
import { RegisteredClient } from '@app/clients';

import { ClaimSource, releaseClaims } from './claim-release';

const user: UserAccount = {
  id: 'u-1',
  username: 'alice',
  claims: {
    email: 'alice@example.com',
    email_verified: true,
    name: 'Alice Example',
    phone_number: '+358401234567',
    address: { locality: 'Espoo', country: 'FI' },
  },
  source: 'local',
  createdAt: new Date('2030-01-01T00:00:00Z'),
  updatedAt: new Date('2030-01-02T00:00:00Z'),
};

function source(overrides: Partial<ClaimSource> & { metadata?: object } = {}): ClaimSource {
  const { metadata, ...rest } = overrides;
  return {
    client: { metadata: metadata ?? {} } as unknown as RegisteredClient,
    scope: ['openid', 'email'],
    grantScope: ['openid', 'email'],
    requestedClaims: null,
    grantClaims: {},
    user,
    ...rest,
  };
}

describe(releaseClaims.name, () => {
  it('releases the claims of the granted claim scopes, to the ID token and UserInfo alike', () => {
    const expected = { email: 'alice@example.com', email_verified: true };
    expect(releaseClaims('userinfo', source())).toEqual(expected);
    expect(releaseClaims('id_token', source())).toEqual(expected);
  });

  it('releases every allowed claim scope for openid alone, with updated_at in seconds and groups', () => {
    const s = source({ scope: ['openid'], grantScope: ['openid'] });
    expect(releaseClaims('userinfo', s)).toEqual({
      ...user.claims,
      updated_at: Date.parse('2030-01-02T00:00:00Z') / 1000,
      groups: [],
    });
  });

  it('leaves the ID token without scope claims when the client turned them off', () => {
    expect(releaseClaims('id_token', source({ metadata: { id_token_claims: false } }))).toEqual({});
    expect(
      releaseClaims('userinfo', source({ metadata: { id_token_claims: false } })),
    ).toHaveProperty('email');
  });

  it('adds the claims the claims parameter asks for where it asks for them (Core §5.5)', () => {
    const s = source({
      metadata: { id_token_claims: false },
      requestedClaims: { id_token: ['name'], userinfo: ['phone_number'] },
    });
    expect(releaseClaims('id_token', s)).toEqual({ name: 'Alice Example' });
    expect(releaseClaims('userinfo', s)).toEqual({
      email: 'alice@example.com',
      email_verified: true,
      phone_number: '+358401234567',
    });
  });

  it('never releases a requested claim of a scope the client may not have', () => {
    const s = source({
      metadata: { scope: 'openid email' },
      requestedClaims: { id_token: ['name'], userinfo: ['name'] },
    });
    expect(releaseClaims('id_token', s)).not.toHaveProperty('name');
    expect(releaseClaims('userinfo', s)).not.toHaveProperty('name');
  });

  it('filters standard grant claims by scope and passes other attributes as they are', () => {
    const s = source({
      scope: ['openid', 'phone'],
      grantScope: ['openid', 'phone'],
      user: null,
      grantClaims: { email: 'otp@example.com', department: ['R&D'] },
    });
    expect(releaseClaims('userinfo', s)).toEqual({ department: ['R&D'] });
  });
});
