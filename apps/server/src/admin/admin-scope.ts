import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

/** The scopes an admin API key may hold (CONTRACT §4). */
export const ADMIN_SCOPES = [
  'admin:read',
  'clients:write',
  'users:write',
  'groups:write',
  'directories:write',
  'keys:write',
  'audit:read',
] as const;

export type AdminScope = (typeof ADMIN_SCOPES)[number];

/** Routes no API key may call, whatever its scopes: a key must never mint a broader key. */
export const ADMIN_TOKEN_ONLY = 'admin_token';

export type RouteRequirement = AdminScope | typeof ADMIN_TOKEN_ONLY;

export const REQUIRED_SCOPE = 'uas:required-scope';

/**
 * Declares what an API key needs to call the route, for AdminTokenGuard and for the OpenAPI
 * document (`x-required-scope` on the operation). ADMIN_TOKEN passes every route. A route
 * without it refuses every API key (default deny).
 */
export function RequiredScope(requirement: RouteRequirement): MethodDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, requirement),
    ApiExtension('x-required-scope', requirement),
  );
}
