import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';

import { Transaction } from './database';
import { AuditEventRepository } from './repositories/audit-event.repository';

/**
 * Who and where, for the events of one HTTP request: the controller that has the request builds
 * it and passes it down to the services that record events.
 */
export interface AuditContext {
  /** The admin credential: `admin_token`, or `api_key:<id>:<name>`; null outside the admin API. */
  actor: string | null;
  ip: string | null;
}

/**
 * One security event (CONTRACT §5). `actor` and `ip` are given by the caller, which has them from
 * the request. The log keeps no per-request store of its own: on Node 20 such a store turns on
 * promise hooks for the whole process, which every promise of every request then pays for.
 */
export interface AuditEvent {
  /** e.g. `signin`, `logout`, `token.revoked`, `client.created`. */
  readonly type: string;
  readonly outcome: 'success' | 'failure';
  readonly subject?: string | null;
  readonly clientId?: string | null;
  /** Never a secret, password, token, code or OTP. */
  readonly details?: Record<string, unknown>;
  /** The admin credential (see AuditContext); null outside the admin API. */
  readonly actor?: string | null;
  /** The HTTP client's address (per TRUST_PROXY). */
  readonly ip?: string | null;
}

/**
 * Writes audit events. Where the event describes a change made in a transaction, it is written
 * in that transaction (pass `tx`): no event for a change that rolled back, no change without its
 * event.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: AuditEventRepository,
  ) {}

  /** Whether token issuance is recorded (AUDIT_TOKEN_EVENTS; there are many). */
  get tokenEvents(): boolean {
    return this.config.audit.tokenEvents;
  }

  /** Appends the event; in `tx` when given, and then a failure fails the transaction too. */
  async record(event: AuditEvent, tx?: Transaction): Promise<void> {
    await this.events.append(
      {
        time: this.clock.now(),
        type: event.type,
        actor: event.actor ?? null,
        subject: event.subject ?? null,
        clientId: event.clientId ?? null,
        ip: event.ip ?? null,
        outcome: event.outcome,
        details: event.details ?? {},
      },
      tx,
    );
  }

  /**
   * For events with no transaction of their own (a failed sign-in, a refused refresh): written
   * without holding up the answer's error path; a failure to write is logged, not thrown, so an
   * attacker's request cannot turn an audit hiccup into a different answer.
   */
  async recordQuietly(event: AuditEvent): Promise<void> {
    try {
      await this.record(event);
    } catch (error) {
      this.logger.error(
        `audit event ${event.type} not written: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
