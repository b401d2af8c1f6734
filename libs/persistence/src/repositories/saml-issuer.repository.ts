import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { SamlIssuerEntity } from '../entities';
import { isCanonicalUuid } from '../identifiers';
import { samlSubjectSource } from './subject.repository';

/** A trusted SAML assertion issuer as stored: its entityID and PEM certificates. */
export interface SamlIssuerRecord {
  id: string;
  entityId: string;
  certificates: string[];
  createdAt: Date;
}

const COLUMNS = `id, entity_id AS "entityId", certificates, created_at AS "createdAt"`;

/** Trusted SAML issuers (RFC 7522 grant): one row per entityID. */
@Injectable()
export class SamlIssuerRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new issuer; null when one with the same entityID exists (one statement, race-free). */
  async create(issuer: Omit<SamlIssuerRecord, 'id'>): Promise<SamlIssuerRecord | null> {
    const rows = await this.db.query<SamlIssuerRecord>(
      `INSERT INTO saml_issuers (id, entity_id, certificates, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (entity_id) DO NOTHING
       RETURNING ${COLUMNS}`,
      [randomUUID(), issuer.entityId, JSON.stringify(issuer.certificates), issuer.createdAt],
    );
    return rows[0] ?? null;
  }

  /** Every issuer, oldest first. */
  findAll(): Promise<SamlIssuerRecord[]> {
    return this.db.use(SamlIssuerEntity, (issuers) =>
      issuers.find({ order: { createdAt: 'ASC', id: 'ASC' } }),
    );
  }

  findByEntityId(entityId: string): Promise<SamlIssuerRecord | null> {
    return this.db.use(SamlIssuerEntity, (issuers) => issuers.findOneBy({ entityId }));
  }

  /**
   * Removes the issuer and, in the same transaction, revokes every grant issued on its assertions
   * (the grants of the subs recorded for `saml:<entity id>`, which belong to no user): removing
   * an issuer, say for a leaked signing key, must also end the refresh and access tokens its
   * assertions already bought, or a forged assertion's refresh token would outlive it for good.
   * True when the issuer existed and is gone; `id` must be a canonical UUID (anything else finds
   * nothing). The caller's caches hear of the revocations through `propagateChanges`.
   */
  async delete(id: string, now: Date): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const revoked = await this.db.transaction(async (tx) => {
      const gone = await this.db.query<{ entityId: string }>(
        `DELETE FROM saml_issuers WHERE id = $1 RETURNING entity_id AS "entityId"`,
        [id],
        tx,
      );
      if (gone.length === 0) return null;
      return this.db.query(
        `UPDATE grants g SET revoked_at = $2
         FROM subjects s
         WHERE s.source = $1 AND g.subject = s.sub AND g.user_id IS NULL AND g.revoked_at IS NULL
         RETURNING g.id`,
        [samlSubjectSource(gone[0].entityId), now],
        tx,
      );
    });
    if (revoked === null) return false;
    // Committed: every instance's token caches drop the revoked grants before this answers.
    if (revoked.length > 0) await this.db.propagateChanges();
    return true;
  }
}
