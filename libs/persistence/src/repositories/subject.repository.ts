import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { SubjectEntity } from '../entities';

/** The identity source of a SAML issuer's NameIDs: kept by entity ID, so it survives re-registration. */
export function samlSubjectSource(entityId: string): string {
  return `saml:${entityId}`;
}

/**
 * The `sub` of each value an external identity source presented (OpenID Connect Core §2):
 * one owner per `sub`, one `sub` per (source, value), across every instance and restart.
 */
@Injectable()
export class SubjectRepository {
  constructor(private readonly db: Database) {}

  /** The `sub` recorded for the value `externalId` of `source`, or null before its first claim. */
  async findSub(source: string, externalId: string): Promise<string | null> {
    const row = await this.db.use(SubjectEntity, (subjects) =>
      subjects.findOne({ select: { sub: true }, where: { source, externalId } }),
    );
    return row?.sub ?? null;
  }

  /**
   * Records `sub` for (`source`, `externalId`) unless that `sub` already has an owner or the
   * pair already has a `sub`, and returns the pair's `sub` afterwards: `sub` when this claim
   * won, the earlier one when the pair had one, null when `sub` belongs to another pair.
   * The insert is one statement (racing claims on any instances get one owner); the read after
   * it is a new snapshot, so it sees a racing claim of the same pair that committed first.
   */
  async claim(sub: string, source: string, externalId: string): Promise<string | null> {
    const inserted = await this.db.query<{ sub: string }>(
      `INSERT INTO subjects (sub, source, external_id) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING
       RETURNING sub`,
      [sub, source, externalId],
    );
    return inserted[0]?.sub ?? this.findSub(source, externalId);
  }
}
