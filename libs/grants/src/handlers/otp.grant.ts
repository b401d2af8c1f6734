import { SubjectRegistry, SubjectSource } from '@app/accounts';
import { GrantType, resolveScope } from '@app/clients';
import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { OtpChallengeService, OtpChannel } from '@app/otp';
import { TokenService } from '@app/tokens';

import { GrantHandler, TokenEndpointResult, TokenParams, TokenRequest } from '../grant-handler';

/**
 * The flow both Ubisecure one-time password grants share (CONTRACT "One-time password grants"):
 * without `x_globalsign_iam_reference_id` it sends an OTP to `username` and answers the
 * challenge reference; with one it checks the OTP and issues tokens whose `sub` is the
 * username (unless another identity source holds it: CONTRACT "Subjects"). Each grant says
 * only what differs: channel, texts, amr and claims.
 */
export abstract class OtpGrant implements GrantHandler {
  abstract readonly grantType: GrantType;
  abstract readonly parameters: readonly string[];
  protected abstract readonly channel: OtpChannel;
  /** RFC 8176 authentication method references. */
  protected abstract readonly amr: readonly string[];

  constructor(
    private readonly otp: OtpChallengeService,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly subjects: SubjectRegistry,
  ) {}

  /** The verified claims a validated OTP proves about `username`. */
  protected abstract verifiedClaims(username: string): Record<string, unknown>;

  /** The message texts of an initiate request. */
  protected abstract texts(params: TokenParams): { title?: string; body?: string };

  async handle({ client, params }: TokenRequest): Promise<TokenEndpointResult> {
    const scope = resolveScope(params.scope, client);
    if (!scope.includes('openid'))
      throw new OAuthError('invalid_scope', 'The scope must include openid.');
    const target = { channel: this.channel, clientId: client.clientId, grantType: this.grantType };
    const reference = params.x_globalsign_iam_reference_id;
    if (reference === undefined) {
      const challenge = await this.otp.initiate({
        ...target,
        username: params.username,
        ...this.texts(params),
        uiLocales: params.ui_locales,
      });
      return { x_globalsign_iam_challenge: { reference: challenge.reference } };
    }
    const { username } = await this.otp.validate({
      ...target,
      reference,
      code: params.x_globalsign_iam_otp_code,
      username: params.username,
    });
    return this.tokens.issue({
      client,
      subject: await this.subjects.subjectFor(SubjectSource.otp(this.channel), username),
      userId: null,
      scope,
      authTime: this.clock.now(),
      amr: this.amr,
      claims: this.verifiedClaims(username),
    });
  }
}
