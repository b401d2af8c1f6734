import { ClientAuthMethod, GrantType, RegisteredClient } from '@app/clients';
import { AuditLog } from '@app/persistence';
import { OAuthError } from '@app/errors';
import { Metrics } from '@app/observability';

import { mockOf } from '../../../test/mocks';

import { GrantHandler, TokenRequest } from './grant-handler';
import { GrantRegistry } from './grant-registry';

function handler(grantType: GrantType, enabled = true): GrantHandler {
  return {
    grantType,
    parameters: [],
    isEnabled: () => enabled,
    handle: (_request: TokenRequest) => Promise.reject(new Error('not called')),
  };
}

function makeClient(
  grantTypes: string[],
  method: ClientAuthMethod = ClientAuthMethod.ClientSecretBasic,
): RegisteredClient {
  return {
    clientId: '6b1d3f0e-2a4c-4e8f-9b7a-1c2d3e4f5a6b',
    metadata: {
      redirect_uris: [],
      grant_types: grantTypes,
      response_types: [],
      token_endpoint_auth_method: method,
    },
    issuedAt: new Date('2030-01-01T00:00:00Z'),
    secret: null,
    secretHash: null,
    tokenGeneration: 0,
  };
}

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error.code;
    throw error;
  }
  throw new Error('expected an OAuthError');
}

describe(GrantRegistry.name, () => {
  const password = handler(GrantType.Password);
  const refresh = handler(GrantType.RefreshToken);
  const metrics = mockOf<Metrics>();
  const audit = mockOf<AuditLog>();
  Object.assign(audit, { tokenEvents: false });
  const sut = new GrantRegistry(
    [refresh, password, handler(GrantType.SmsOtp, false)],
    metrics,
    audit,
  );

  beforeEach(() => {
    metrics.countTokensIssued.mockReset();
    metrics.countTokensIssued.mockImplementation(() => undefined);
  });

  it('refuses two handlers for one grant type at boot', () => {
    expect(
      () => new GrantRegistry([password, handler(GrantType.Password)], metrics, audit),
    ).toThrow(/Two handlers/);
  });

  it('counts a token response by its grant type, once', async () => {
    const issuing: GrantHandler = {
      ...password,
      handle: () =>
        Promise.resolve({ access_token: 'at', token_type: 'Bearer', expires_in: 60, scope: '' }),
    };

    await sut.run(issuing, { client: makeClient([GrantType.Password]), params: {} });

    expect(metrics.countTokensIssued.mock.calls).toEqual([[GrantType.Password]]);
  });

  it('records the issuance with the client and its address when AUDIT_TOKEN_EVENTS asks', async () => {
    const recording = mockOf<AuditLog>();
    Object.assign(recording, { tokenEvents: true });
    recording.recordQuietly.mockResolvedValue();
    const issuing: GrantHandler = {
      ...password,
      handle: () =>
        Promise.resolve({ access_token: 'at', token_type: 'Bearer', expires_in: 60, scope: 'a' }),
    };
    const client = makeClient([GrantType.Password]);

    await new GrantRegistry([issuing], metrics, recording).run(issuing, {
      client,
      params: {},
      clientAddress: '192.0.2.7',
    });

    expect(recording.recordQuietly).toHaveBeenCalledWith({
      type: 'token.issued',
      outcome: 'success',
      clientId: client.clientId,
      ip: '192.0.2.7',
      details: { grant_type: GrantType.Password, scope: 'a' },
    });
  });

  it('counts no token for an answer without one (an OTP challenge) or a refused request', async () => {
    const challenge: GrantHandler = {
      ...password,
      handle: () => Promise.resolve({ x_globalsign_iam_challenge: { reference: 'r' } }),
    };
    const refusing: GrantHandler = {
      ...password,
      handle: () => Promise.reject(new OAuthError('invalid_grant', 'no')),
    };

    await sut.run(challenge, { client: makeClient([GrantType.Password]), params: {} });
    await expect(
      sut.run(refusing, { client: makeClient([GrantType.Password]), params: {} }),
    ).rejects.toBeInstanceOf(OAuthError);

    expect(metrics.countTokensIssued).not.toHaveBeenCalled();
  });

  it("lists the enabled grant types in the seed document's order", () => {
    expect(sut.grantTypes()).toEqual([GrantType.Password, GrantType.RefreshToken]);
  });

  it('resolves a grant type the client registered', () => {
    expect(sut.resolve(GrantType.Password, makeClient([GrantType.Password]))).toBe(password);
  });

  it('answers invalid_request without a grant_type', () => {
    expect(codeOf(() => sut.resolve(undefined, makeClient([GrantType.Password])))).toBe(
      'invalid_request',
    );
  });

  it.each([GrantType.ClientCredentials, GrantType.SmsOtp, 'urn:example:unknown'])(
    'answers unsupported_grant_type for %s, which has no enabled handler',
    (grantType) => {
      expect(codeOf(() => sut.resolve(grantType, makeClient([grantType])))).toBe(
        'unsupported_grant_type',
      );
    },
  );

  it('answers unauthorized_client for a grant type the client did not register', () => {
    expect(
      codeOf(() => sut.resolve(GrantType.Password, makeClient([GrantType.RefreshToken]))),
    ).toBe('unauthorized_client');
  });

  it('answers unauthorized_client to a public client for a grant public clients may not use, even when registered', () => {
    const client = makeClient([GrantType.Password], ClientAuthMethod.None);

    expect(codeOf(() => sut.resolve(GrantType.Password, client))).toBe('unauthorized_client');
  });

  it('resolves the refresh grant for a public client', () => {
    const client = makeClient([GrantType.RefreshToken], ClientAuthMethod.None);

    expect(sut.resolve(GrantType.RefreshToken, client)).toBe(refresh);
  });
});
