import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

import { OAuthError } from '@app/errors';

import { AdminToken } from './admin-token';

// RFC 6750 §2.1; the scheme is case-insensitive (RFC 9110 §11.1).
const BEARER = /^Bearer +(\S.*)$/i;

/**
 * Every admin route: `Authorization: Bearer $ADMIN_TOKEN` (CONTRACT §4). Missing and wrong
 * tokens get the same 401 invalid_token with a Bearer challenge (RFC 6750 §3).
 * Apply at controller level: `@UseGuards(AdminTokenGuard)`.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(private readonly token: AdminToken) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>()
      .headers.authorization;
    const presented = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (presented === undefined) {
      throw new OAuthError('invalid_token', 'The admin token is missing or invalid.', {
        challenge: 'Bearer',
        detail: 'no bearer token',
      });
    }
    if (!this.token.matches(presented)) {
      throw new OAuthError('invalid_token', 'The admin token is missing or invalid.', {
        challenge: 'Bearer error="invalid_token"',
        detail: 'wrong admin token',
      });
    }
    return true;
  }
}
