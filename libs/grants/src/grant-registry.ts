import { GRANT_TYPE_ORDER, GrantType, isGrantTypeAllowed, RegisteredClient } from '@app/clients';
import { OAuthError } from '@app/errors';
import { Metrics } from '@app/observability';
import { AuditLog } from '@app/persistence';

import { GrantHandler, TokenEndpointResult, TokenRequest } from './grant-handler';

/** Maps grant_type to its handler; refuses duplicates at boot. */
export class GrantRegistry {
  private readonly handlers = new Map<string, GrantHandler>();

  constructor(
    handlers: readonly GrantHandler[],
    private readonly metrics: Metrics,
    private readonly audit: AuditLog,
  ) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.grantType)) {
        throw new Error(`Two handlers for grant type ${handler.grantType}`);
      }
      this.handlers.set(handler.grantType, handler);
    }
  }

  /** The enabled grant types, in the seed document's order (what discovery advertises). */
  grantTypes(): GrantType[] {
    return GRANT_TYPE_ORDER.filter((type) => this.find(type) !== null);
  }

  has(type: GrantType): boolean {
    return this.find(type) !== null;
  }

  /**
   * The handler for `grantType`, or unsupported_grant_type; unauthorized_client when the
   * client's registered grant_types do not list it (RFC 6749 §5.2), or when it is a public
   * client and the grant is not one for public clients (CONTRACT §3).
   */
  resolve(grantType: string | undefined, client: RegisteredClient): GrantHandler {
    if (!grantType) throw new OAuthError('invalid_request', 'The grant_type parameter is missing.');
    const handler = this.find(grantType);
    if (!handler)
      throw new OAuthError('unsupported_grant_type', 'The grant type is not supported.');
    if (!client.metadata.grant_types.includes(grantType)) {
      throw new OAuthError('unauthorized_client', 'The client may not use this grant type.');
    }
    // Registration refuses such grants already; this holds for clients stored before the rule.
    if (!isGrantTypeAllowed(client, grantType)) {
      throw new OAuthError('unauthorized_client', 'A public client may not use this grant type.');
    }
    return handler;
  }

  /**
   * Runs `handler` and counts the tokens it answered (uas_tokens_issued_total by grant_type,
   * CONTRACT §5): here, once for every grant, rather than in each handler.
   */
  async run(handler: GrantHandler, request: TokenRequest): Promise<TokenEndpointResult> {
    const result = await handler.handle(request);
    if ('access_token' in result) {
      this.metrics.countTokensIssued(handler.grantType);
      // AUDIT_TOKEN_EVENTS: issuance is an audit event only when asked for (there are many).
      if (this.audit.tokenEvents)
        await this.audit.recordQuietly({
          type: 'token.issued',
          outcome: 'success',
          clientId: request.client.clientId,
          ip: request.clientAddress ?? null,
          details: { grant_type: handler.grantType, scope: result.scope },
        });
    }
    return result;
  }

  private find(type: string): GrantHandler | null {
    const handler = this.handlers.get(type);
    if (!handler || (handler.isEnabled && !handler.isEnabled())) return null;
    return handler;
  }
}
