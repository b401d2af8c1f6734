import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('clients')
export class ClientEntity {
  @PrimaryColumn('uuid') clientId: string;
  /** Registered metadata, RFC 7591 names. */
  @Column('jsonb') metadata: Record<string, unknown>;
  /** MASTER_KEY envelope of the secret (HS256 and secret-derived JWE keys need it back). */
  @Column('text', { nullable: true }) secretEncrypted: string | null;
  /** SHA-256 of the secret, for constant-time comparison without decrypting. */
  @Column('bytea', { nullable: true }) secretHash: Buffer | null;
  @Column('timestamptz') clientIdIssuedAt: Date;
  @Column('timestamptz') updatedAt: Date;
}
