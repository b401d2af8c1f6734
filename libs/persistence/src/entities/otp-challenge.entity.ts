import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('otp_challenges')
export class OtpChallengeEntity {
  @PrimaryColumn('uuid') id: string;
  /** SHA-256 of the opaque reference handed to the client. */
  @Column('bytea', { unique: true }) referenceHash: Buffer;
  @Column('uuid') clientId: string;
  @Column('text') grantType: string;
  /** As the client sent it, cleaned of separators (a leading `+` stays): `{mobile}` and `sub`. */
  @Column('text') username: string;
  /** The recipient in any spelling (an MSISDN's digits): a new initiation spends older challenges. */
  @Column('text') usernameKey: string;
  /** HMAC-SHA256 of the OTP under a key derived from MASTER_KEY, bound to this challenge. */
  @Column('bytea') codeHash: Buffer;
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
}
