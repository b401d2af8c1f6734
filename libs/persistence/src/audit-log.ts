import { AsyncLocalStorage } from 'node:async_hooks';

import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';

import { Transaction } from './database';
import { AuditEventRepository } from './repositories/audit-event.repository';

/** Who and where, for the events of one HTTP request (set by the server's interceptor). */
export interface AuditContext {
  /** The admin credential: `admin_token`, or `api_key:<id>:<name>`; null outside the admin API. */
  actor: string | null;
  ip: string | null;
}

/** One security event (CONTRACT §5); `actor` and `ip` come from the request unless given. */
export interface AuditEvent {
  /** e.g. `signin`, `logout`, `token.revoked`, `client.created`. */
  readonly type: string;
  readonly outcome: 'success' | 'failure';
  readonly subject?: string | null;
  readonly clientId?: string | null;
  /** Never a secret, password, token, code or OTP. */
  readonly details?: Record<string, unknown>;
  readonly actor?: string | null;
}

const context = new AsyncLocalStorage<AuditContext>();

/**
 * Writes audit events. Where the event describes a change made in a transaction, it is written
 * in that transaction (pass `tx`): no event for a change that rolled back, no change without its
 * event. The request's actor and address come from an AsyncLocalStorage context the HTTP layer
 * opens per request, so services need not carry them.
 */
@Injectable()
export class AuditLog {
  private readonly logger = new Logger('AuditLog');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly events: AuditEventRepository,
  ) {}

  /** Runs `fn` with `ctx` as the request's audit context. */
  static run<T>(ctx: AuditContext, fn: () => T): T {
    return context.run(ctx, fn);
  }

  /** The current request's context (mutable: the admin guard names the actor in it). */
  static current(): AuditContext | undefined {
    return context.getStore();
  }

  /** Whether token issuance is recorded (AUDIT_TOKEN_EVENTS; there are many). */
  get tokenEvents(): boolean {
    return this.config.audit.tokenEvents;
  }

  /** Appends the event; in `tx` when given, and then a failure fails the transaction too. */
  async record(event: AuditEvent, tx?: Transaction): Promise<void> {
    const ctx = context.getStore();
    await this.events.append(
      {
        time: this.clock.now(),
        type: event.type,
        actor: event.actor ?? ctx?.actor ?? null,
        subject: event.subject ?? null,
        clientId: event.clientId ?? null,
        ip: ctx?.ip ?? null,
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
