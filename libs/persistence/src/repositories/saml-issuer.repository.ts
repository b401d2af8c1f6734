import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { SamlIssuerEntity } from '../entities';
import { isCanonicalUuid } from '../identifiers';

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

  /** True when the issuer existed and is gone; `id` must be a canonical UUID (anything else finds nothing). */
  async delete(id: string): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const result = await this.db.use(SamlIssuerEntity, (issuers) => issuers.delete({ id }));
    return result.affected === 1;
  }
}
