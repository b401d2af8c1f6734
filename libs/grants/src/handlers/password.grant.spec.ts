import { PasswordLogin } from '@app/accounts';
import { GrantType } from '@app/clients';
import { FixedClock } from '@app/config';
import { OAuthError } from '@app/errors';
import { GroupMfaPolicy } from '@app/factors';
import { TokenService } from '@app/tokens';

import { caught, mockOf } from '../../../../test/mocks';
import { registeredClient } from '../../../../test/factories/registered-client.factory';
import { PasswordGrant } from './password.grant';

const client = registeredClient([GrantType.Password]);

describe(PasswordGrant.name, () => {
  let logins: jest.Mocked<PasswordLogin>;
  let sut: PasswordGrant;

  beforeEach(() => {
    logins = mockOf<PasswordLogin>();
    sut = new PasswordGrant(
      logins,
      mockOf<TokenService>(),
      new FixedClock(new Date('2030-01-01T12:00:00Z')),
      mockOf<GroupMfaPolicy>(),
    );
  });

  it("answers a directory entry whose username another user holds with invalid_grant, not the login page's 403 (RFC 6749 §5.2)", async () => {
    logins.authenticate.mockRejectedValue(
      new OAuthError('access_denied', 'This account cannot sign in here.', {
        detail: 'directory d: the entry username belongs to another user',
      }),
    );

    const error = await caught(
      sut.handle({ client, params: { username: 'ann', password: 'pw-123456' } }),
    );

    expect(error.code).toBe('invalid_grant');
    expect(error.status).toBe(400);
  });

  it('lets any other failure through as it is', async () => {
    const unavailable = new OAuthError('temporarily_unavailable', 'Try again later.');
    logins.authenticate.mockRejectedValue(unavailable);

    expect(await caught(sut.handle({ client, params: { username: 'ann', password: 'pw' } }))).toBe(
      unavailable,
    );
  });
});
