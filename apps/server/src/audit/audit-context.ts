import { createParamDecorator, ExecutionContext } from '@nestjs/common';

import { AuditContext } from '@app/persistence';

/** What the admin guard leaves on the request: which credential it accepted. */
export const AUDIT_ACTOR = Symbol('uas:audit-actor');

export type AuditedRequest = {
  ip?: string;
  body?: unknown;
  params?: Record<string, string>;
  [AUDIT_ACTOR]?: string;
};

/** The request's actor (the admin credential, once the guard accepted it) and address. */
export function auditContextOf(request: AuditedRequest): AuditContext {
  return { actor: request[AUDIT_ACTOR] ?? null, ip: request.ip ?? null };
}

/**
 * The request's AuditContext, for a handler to pass to the services that record events. Nest
 * resolves parameters after the guards, so the admin guard's actor is in it.
 */
export const RequestAuditContext = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuditContext =>
    auditContextOf(context.switchToHttp().getRequest<AuditedRequest>()),
);
