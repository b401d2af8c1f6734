import { Injectable } from '@nestjs/common';

import { SubjectRegistry, SubjectSource } from '@app/accounts';
import { GrantType, resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { SamlAssertionVerifier } from '@app/saml';
import { TokenResponse, TokenService } from '@app/tokens';

import { GrantHandler, requireParam, TokenRequest } from '../grant-handler';

// Claims the protocol sets (RFC 7519 §4.1, OIDC Core §2 and §5.1, RFC 9068 §2.2, RFC 8693 §4):
// an assertion attribute never stands in for one of them.
const PROTOCOL_CLAIMS = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'scope',
  'client_id',
  'cnf',
  'gid',
  'act',
  'may_act',
  'typ',
  '__proto__',
]);

/**
 * RFC 7522 §2.1: a SAML 2.0 bearer assertion from a trusted issuer as the grant. `sub` is the
 * NameID, unless that names someone else here (CONTRACT "Subjects"); the assertion's
 * attributes are released as claims (each a list of strings).
 */
@Injectable()
export class Saml2BearerGrant implements GrantHandler {
  readonly grantType = GrantType.Saml2Bearer;
  readonly parameters = ['assertion', 'scope'] as const;

  constructor(
    private readonly assertions: SamlAssertionVerifier,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly subjects: SubjectRegistry,
  ) {}

  async handle({ client, params }: TokenRequest): Promise<TokenResponse> {
    const parameter = requireParam(params, 'assertion');
    // Scope first: a request refused for its scope does not use up the assertion.
    const scope = resolveScope(params.scope, client);
    const assertion = await this.assertions.verify(parameter);
    // OIDC Core §2: a sub names one end-user at this issuer. A NameID that another issuer, an
    // OTP channel, a user or a client already has as its sub gets a sub of its own.
    const subject = await this.subjects.subjectFor(
      SubjectSource.saml(assertion.issuer),
      assertion.subject,
    );
    return this.tokens.issue({
      client,
      subject,
      userId: null,
      scope,
      authTime: assertion.authnInstant ?? this.clock.now(),
      amr: ['saml'],
      claims: attributeClaims(assertion.attributes),
    });
  }
}

function attributeClaims(
  attributes: Readonly<Record<string, readonly string[]>>,
): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(attributes)
      .filter(([name]) => !PROTOCOL_CLAIMS.has(name))
      .map(([name, values]) => [name, [...values]]),
  );
}
