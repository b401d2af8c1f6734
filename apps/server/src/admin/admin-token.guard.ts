import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

import { OAuthError } from '@app/errors';

import { AUDIT_ACTOR } from '../audit/audit-context';
import { ADMIN_TOKEN_ONLY, REQUIRED_SCOPE, RouteRequirement } from './admin-scope';
import { AdminToken } from './admin-token';
import { ApiKeyService } from './api-key.service';

// RFC 6750 §2.1; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +(\S.*)$/i;

/**
 * Every admin route: `Authorization: Bearer` with ADMIN_TOKEN (every route) or an API key
 * (the routes whose `@RequiredScope` it holds) (CONTRACT §4). Missing and wrong tokens get the
 * same 401 invalid_token with a Bearer challenge; a key outside its scopes gets 403
 * insufficient_scope (RFC 6750 §3.1). Apply at controller level: `@UseGuards(AdminTokenGuard)`.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    private readonly token: AdminToken,
    private readonly apiKeys: ApiKeyService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context
      .switchToHttp()
      .getRequest<{ headers: Record<string, unknown>; [AUDIT_ACTOR]?: string }>();
    const header = request.headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      throw new OAuthError('invalid_token', 'The admin token is missing or invalid.', {
        challenge: 'Bearer',
        detail: 'no bearer token',
      });
    }
    if (this.token.matches(presented)) {
      // CONTRACT §5: audit events of admin changes name the credential.
      request[AUDIT_ACTOR] = 'admin_token';
      return true;
    }
    const apiKey = await this.apiKeys.authenticate(presented);
    if (!apiKey) {
      throw new OAuthError('invalid_token', 'The admin token is missing or invalid.', {
        challenge: 'Bearer error="invalid_token"',
        detail: 'wrong admin token or unknown API key',
      });
    }
    const required = this.reflector.get<RouteRequirement | undefined>(
      REQUIRED_SCOPE,
      context.getHandler(),
    );
    if (required === undefined || required === ADMIN_TOKEN_ONLY) {
      throw new OAuthError('insufficient_scope', 'This route needs the admin token.', {
        challenge: 'Bearer error="insufficient_scope"',
        detail: `API key ${apiKey.id} on a route for the admin token only`,
      });
    }
    if (!(apiKey.scopes as string[]).includes(required)) {
      throw new OAuthError('insufficient_scope', `This route needs the scope ${required}.`, {
        // RFC 6750 §3: the scope the request needs.
        challenge: `Bearer error="insufficient_scope", scope="${required}"`,
        detail: `API key ${apiKey.id} lacks ${required}`,
      });
    }
    request[AUDIT_ACTOR] = `api_key:${apiKey.id}:${apiKey.name}`;
    return true;
  }
}
