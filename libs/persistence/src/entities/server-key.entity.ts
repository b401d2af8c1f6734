import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Signing keys (use `sig`) and the encryption key (use `enc`). A signing key is published from
 * createdAt, signs from activatesAt, and stays published until retiresAt.
 */
@Entity('server_keys')
@Check('server_keys_use_check', `use = ANY (ARRAY['sig'::text, 'enc'::text])`)
@Index('server_keys_use_idx', ['use', 'activatesAt'])
export class ServerKeyEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'server_keys_pkey' }) kid: string;
  @Column('text') use: 'sig' | 'enc';
  @Column('text') alg: string;
  @Column('jsonb') publicJwk: Record<string, unknown>;
  /** MASTER_KEY envelope of the private JWK. */
  @Column('text') privateKeyEncrypted: string;
  @Column('text', { nullable: true }) certificatePem: string | null;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz') activatesAt: Date;
  @Column('timestamptz', { nullable: true }) retiresAt: Date | null;
}
