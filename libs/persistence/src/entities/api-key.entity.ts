import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** An admin API key: its scopes and the SHA-256 digest of the key (the key is shown once). */
@Entity('api_keys')
@Unique('api_keys_key_hash_key', ['keyHash'])
export class ApiKeyEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'api_keys_pkey' }) id: string;
  @Column('text') name: string;
  /** Admin scope names, e.g. `users:write`. */
  @Column('jsonb') scopes: string[];
  @Column('bytea') keyHash: Buffer;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
