import { OAuthError } from '@app/errors';

import { RegisteredClient } from './client';

/** scopes_supported (seed document). */
export const SUPPORTED_SCOPES: readonly string[] = ['openid', 'userinfo'];

/**
 * The scope to grant for `requested` (space-separated, or undefined). CONTRACT §3: only scopes
 * in scopes_supported that the client's registered scope allows (all when it registered none);
 * anything else is invalid_scope (RFC 6749 §5.2). No scope requested grants none.
 */
export function resolveScope(requested: string | undefined, client: RegisteredClient): string[] {
  if (requested === undefined || requested.trim() === '') return [];
  const asked = [...new Set(requested.split(' ').filter(Boolean))];
  const allowed = client.metadata.scope
    ? client.metadata.scope.split(' ').filter(Boolean)
    : SUPPORTED_SCOPES;
  const refused = asked.filter((s) => !SUPPORTED_SCOPES.includes(s) || !allowed.includes(s));
  if (refused.length > 0)
    throw new OAuthError('invalid_scope', 'The requested scope is not allowed for this client.');
  return asked;
}
