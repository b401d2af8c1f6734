import { Injectable } from '@nestjs/common';

import { Database, Statement, Transaction } from '../database';

/** An audit event as written. */
export interface NewAuditEvent {
  time: Date;
  type: string;
  actor: string | null;
  subject: string | null;
  clientId: string | null;
  ip: string | null;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
}

/** An audit event as read, with its id (the cursor). */
export interface AuditEventRecord extends NewAuditEvent {
  id: string;
}

/** What a query asks for; every filter optional. */
export interface AuditEventFilter {
  type?: string;
  subject?: string;
  clientId?: string;
  since?: Date;
  /** Only events older than this id (the previous page's last). */
  beforeId?: string;
  limit: number;
}

const COLUMNS = `id::text AS id, time, type, actor, subject, client_id AS "clientId", ip, outcome, details`;

/** The append-only audit record (CONTRACT §5). */
@Injectable()
export class AuditEventRepository {
  constructor(private readonly db: Database) {}

  /** Appends one event, in the caller's transaction when given (then it stands or falls with it). */
  async append(event: NewAuditEvent, tx?: Transaction): Promise<void> {
    await this.db.query(
      new Statement(
        'audit_events.append',
        `INSERT INTO audit_events (time, type, actor, subject, client_id, ip, outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      ),
      [
        event.time,
        event.type,
        event.actor,
        event.subject,
        event.clientId,
        event.ip,
        event.outcome,
        JSON.stringify(event.details),
      ],
      tx,
    );
  }

  /** Newest first; one page of `limit`. Every filter is a bound parameter, never SQL text. */
  async list(filter: AuditEventFilter): Promise<AuditEventRecord[]> {
    return this.db.query<AuditEventRecord>(
      `SELECT ${COLUMNS} FROM audit_events
       WHERE ($1::text IS NULL OR type = $1)
         AND ($2::text IS NULL OR subject = $2)
         AND ($3::text IS NULL OR client_id = $3)
         AND ($4::timestamptz IS NULL OR time >= $4)
         AND ($5::bigint IS NULL OR id < $5)
       ORDER BY audit_events.id DESC LIMIT $6`,
      [
        filter.type ?? null,
        filter.subject ?? null,
        filter.clientId ?? null,
        filter.since ?? null,
        filter.beforeId ?? null,
        filter.limit,
      ],
    );
  }
}
