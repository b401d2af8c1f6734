import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('authorization_codes')
export class AuthorizationCodeEntity {
  @PrimaryColumn('bytea') codeHash: Buffer;
  @Column('uuid') clientId: string;
  @Column('uuid') userId: string;
  @Column('text') redirectUri: string;
  @Column('text') scope: string;
  @Column('text', { nullable: true }) nonce: string | null;
  @Column('text', { nullable: true }) codeChallenge: string | null;
  @Column('text', { nullable: true }) codeChallengeMethod: string | null;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb') amr: string[];
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
  @Column('uuid', { nullable: true }) grantId: string | null;
  @Column('boolean') redirectUriSent: boolean;
  @Column('bytea', { nullable: true }) sessionIdHash: Buffer | null;
  @Column('timestamptz', { nullable: true }) replayedAt: Date | null;
}
