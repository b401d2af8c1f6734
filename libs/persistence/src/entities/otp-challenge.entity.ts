import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';

import { ClientEntity } from './client.entity';

/** An OTP challenge of the SMS-MT-OTP and SMTP-OTP grants; the reference and OTP only as hashes. */
@Entity('otp_challenges')
@Unique('otp_challenges_reference_hash_key', ['referenceHash'])
@Index('otp_challenges_expires_idx', ['expiresAt'])
// A new initiation spends the open challenges of its recipient (migration 1764300000001).
@Index('otp_challenges_open_by_username_key', ['grantType', 'usernameKey'], {
  where: 'consumed_at IS NULL',
})
export class OtpChallengeEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'otp_challenges_pkey' }) id: string;
  /** SHA-256 of the opaque reference handed to the client. */
  @Column('bytea') referenceHash: Buffer;
  @Column('uuid') clientId: string;
  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'otp_challenges_client_id_fkey' })
  client?: ClientEntity;
  @Column('text') grantType: string;
  /** As the client sent it, cleaned of separators (a leading `+` stays): `{mobile}` and `sub`. */
  @Column('text') username: string;
  /** The recipient in any spelling (an MSISDN's digits): a new initiation spends older challenges. */
  @Column('text') usernameKey: string;
  /** HMAC-SHA256 of the OTP under a key derived from MASTER_KEY, bound to this challenge. */
  @Column('bytea') codeHash: Buffer;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
}
