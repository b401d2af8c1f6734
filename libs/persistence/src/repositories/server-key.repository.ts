import { Injectable } from '@nestjs/common';
import { IsNull, MoreThan, Not, Or, QueryDeepPartialEntity } from 'typeorm';

import { Database, Transaction } from '../database';
import { ServerKeyEntity } from '../entities';

/** A server key as stored; the private key is a MASTER_KEY envelope. */
export interface ServerKeyRecord {
  kid: string;
  use: 'sig' | 'enc';
  alg: string;
  publicJwk: Record<string, unknown>;
  privateKeyEncrypted: string;
  certificatePem: string | null;
  createdAt: Date;
  activatesAt: Date;
  retiresAt: Date | null;
}

const OLDEST_ACTIVATION_FIRST = { activatesAt: 'ASC', createdAt: 'ASC' } as const;

/** Server signing and encryption keys. */
@Injectable()
export class ServerKeyRepository {
  constructor(private readonly db: Database) {}

  /** Keys not yet retired at `now` (published in the JWKS), oldest activation first. */
  findPublished(now: Date, tx?: Transaction): Promise<ServerKeyRecord[]> {
    return this.db.use(
      ServerKeyEntity,
      (keys) =>
        keys.find({
          where: { retiresAt: Or(IsNull(), MoreThan(now)) },
          order: OLDEST_ACTIVATION_FIRST,
        }),
      tx,
    );
  }

  /** Runs `fn` in one transaction holding the key-management lock of every instance. */
  withBootstrapLock<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.db.withAdvisoryLock('uas:server_keys', fn);
  }

  findAll(): Promise<ServerKeyRecord[]> {
    return this.db.use(ServerKeyEntity, (keys) => keys.find({ order: OLDEST_ACTIVATION_FIRST }));
  }

  async create(
    key: Omit<ServerKeyRecord, 'createdAt' | 'retiresAt'>,
    tx?: Transaction,
  ): Promise<void> {
    // jsonb (publicJwk): TypeORM's insert type cannot see through `unknown`.
    await this.db.use(
      ServerKeyEntity,
      (keys) => keys.insert(key as QueryDeepPartialEntity<ServerKeyEntity>),
      tx,
    );
  }

  /**
   * Retires at `now` every other signing key that has not begun to sign (a rotation's key still
   * in its lead time): it signed nothing, and left published it would take over from the new
   * key once its own activation came, signing until its retirement with no key after it.
   */
  async retireUnstartedSigningKeysExcept(kid: string, now: Date, tx?: Transaction): Promise<void> {
    await this.db.use(
      ServerKeyEntity,
      (keys) =>
        keys.update(
          {
            use: 'sig',
            kid: Not(kid),
            activatesAt: MoreThan(now),
            retiresAt: Or(IsNull(), MoreThan(now)),
          },
          { retiresAt: now },
        ),
      tx,
    );
  }

  /**
   * Schedules the retirement of every other signing key still unretired: each stays published
   * until `retiresAt` (when the new key has signed for longer than any token lives).
   */
  async scheduleRetirementOfSigningKeysExcept(
    kid: string,
    retiresAt: Date,
    tx?: Transaction,
  ): Promise<void> {
    await this.db.use(
      ServerKeyEntity,
      (keys) =>
        keys.update(
          { use: 'sig', kid: Not(kid), retiresAt: Or(IsNull(), MoreThan(retiresAt)) },
          { retiresAt },
        ),
      tx,
    );
  }
}
