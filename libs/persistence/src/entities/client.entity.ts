import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A registered client. Deleting one cascades to its grants, codes and OTP challenges. */
@Entity('clients')
export class ClientEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'clients_pkey' }) clientId: string;
  /** Registered metadata, RFC 7591 names. */
  @Column('jsonb') metadata: Record<string, unknown>;
  /** MASTER_KEY envelope of the secret (HS256 and secret-derived JWE keys need it back). */
  @Column('text', { nullable: true }) secretEncrypted: string | null;
  /** SHA-256 of the secret, for constant-time comparison without decrypting. */
  @Column('bytea', { nullable: true }) secretHash: Buffer | null;
  @Column('timestamptz', { default: () => 'now()' }) clientIdIssuedAt: Date;
  @Column('timestamptz', { default: () => 'now()' }) updatedAt: Date;
  /** Bumped by every revocation of all its tokens; an access token minted in an older one is inactive. */
  @Column('integer', { default: 0 }) tokenGeneration: number;
}
