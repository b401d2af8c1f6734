import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('otp_challenges')
export class OtpChallengeEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column('text') grantType: string;
  @Column('text') username: string;
  @Column('bytea') codeHash: Buffer;
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
}
