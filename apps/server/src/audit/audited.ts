import { SetMetadata } from '@nestjs/common';

/** Where an admin change's subject is read: a route parameter, or a member of the answer. */
export type AuditSubject = { param: string } | { response: string } | null;

/**
 * What the event's `details` hold besides: route parameters under a name of their own, and
 * members of the answer. Never a member that can hold a secret (an API key's `key`).
 */
export interface AuditDetails {
  readonly params?: Readonly<Record<string, string>>;
  readonly response?: readonly string[];
}

export interface AuditedRoute {
  readonly type: string;
  readonly subject: AuditSubject;
  /** A request body member that, when `true`, makes the call change nothing (e.g. `dry_run`). */
  readonly unlessBodyFlag?: string;
  readonly details?: AuditDetails;
}

export const AUDITED = 'uas:audited';

/**
 * Marks an admin route whose success is an audit event of `type` (CONTRACT §5: every admin
 * change, with its actor), e.g. `@Audited('client.created', { response: 'client_id' })`.
 */
export const Audited = (
  type: string,
  subject: AuditSubject,
  options: { unlessBodyFlag?: string; details?: AuditDetails } = {},
): MethodDecorator => SetMetadata(AUDITED, { type, subject, ...options } satisfies AuditedRoute);
