import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('otp_challenges')
export class OtpChallengeEntity {
  @PrimaryColumn('uuid') id: string;
  /** SHA-256 of the opaque reference handed to the client. */
  @Column('bytea', { unique: true }) referenceHash: Buffer;
  @Column('uuid') clientId: string;
  @Column('text') grantType: string;
  @Column('text') username: string;
  /** HMAC-SHA256 of the OTP under a key derived from MASTER_KEY, bound to this challenge. */
  @Column('bytea') codeHash: Buffer;
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
}
