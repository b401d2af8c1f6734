import { SetMetadata } from '@nestjs/common';

/** Where an admin change's subject is read: a route parameter, or a member of the answer. */
export type AuditSubject = { param: string } | { response: string } | null;

export interface AuditedRoute {
  readonly type: string;
  readonly subject: AuditSubject;
  /** A request body member that, when `true`, makes the call change nothing (e.g. `dry_run`). */
  readonly unlessBodyFlag?: string;
}

export const AUDITED = 'uas:audited';

/**
 * Marks an admin route whose success is an audit event of `type` (CONTRACT §5: every admin
 * change, with its actor), e.g. `@Audited('client.created', { response: 'client_id' })`.
 */
export const Audited = (
  type: string,
  subject: AuditSubject,
  options: { unlessBodyFlag?: string } = {},
): MethodDecorator => SetMetadata(AUDITED, { type, subject, ...options } satisfies AuditedRoute);
