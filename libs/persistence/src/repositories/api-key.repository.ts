import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { ApiKeyEntity } from '../entities';
import { isCanonicalUuid } from '../identifiers';

/** An admin API key as stored, without its digest. */
export interface ApiKeyRecord {
  id: string;
  name: string;
  scopes: string[];
  createdAt: Date;
}

const COLUMNS = `id, name, scopes, created_at AS "createdAt"`;

/** Admin API keys, looked up by the SHA-256 digest of the presented key. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly db: Database) {}

  async create(key: { name: string; scopes: string[]; keyHash: Buffer }): Promise<ApiKeyRecord> {
    const rows = await this.db.query<ApiKeyRecord>(
      `INSERT INTO api_keys (id, name, scopes, key_hash) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
      [randomUUID(), key.name, JSON.stringify(key.scopes), key.keyHash],
    );
    return rows[0];
  }

  /**
   * One indexed lookup by digest. The database compares digests, not keys: the digest of a
   * 256-bit random key reveals nothing about the key, so no timing of it helps an attacker.
   */
  async findByHash(keyHash: Buffer): Promise<ApiKeyRecord | null> {
    const rows = await this.db.query<ApiKeyRecord>(
      `SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`,
      [keyHash],
    );
    return rows[0] ?? null;
  }

  /** Every key, oldest first. */
  findAll(): Promise<ApiKeyRecord[]> {
    return this.db.use(ApiKeyEntity, (keys) =>
      keys.find({
        select: { id: true, name: true, scopes: true, createdAt: true },
        order: { createdAt: 'ASC', id: 'ASC' },
      }),
    );
  }

  /** True when the key existed and is gone; `id` must be a canonical UUID (anything else finds nothing). */
  async delete(id: string): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    const result = await this.db.use(ApiKeyEntity, (keys) => keys.delete({ id }));
    return result.affected === 1;
  }
}
