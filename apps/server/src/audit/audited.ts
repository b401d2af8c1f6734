import { SetMetadata } from '@nestjs/common';

/** Where an admin change's subject is read: a route parameter, or a member of the answer. */
export type AuditSubject = { param: string } | { response: string } | null;

export interface AuditedRoute {
  readonly type: string;
  readonly subject: AuditSubject;
}

export const AUDITED = 'uas:audited';

/**
 * Marks an admin route whose success is an audit event of `type` (CONTRACT §5: every admin
 * change, with its actor), e.g. `@Audited('client.created', { response: 'client_id' })`.
 */
export const Audited = (type: string, subject: AuditSubject): MethodDecorator =>
  SetMetadata(AUDITED, { type, subject } satisfies AuditedRoute);
