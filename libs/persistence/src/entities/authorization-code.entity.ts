import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { RequestedClaims } from '../requested-claims';
import { ClientEntity } from './client.entity';
import { UserEntity } from './user.entity';

/** An authorization code (RFC 6749 §4.1.2), stored only as its SHA-256, with what it is bound to. */
@Entity('authorization_codes')
@Index('authorization_codes_expires_idx', ['expiresAt'])
export class AuthorizationCodeEntity {
  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'authorization_codes_pkey' })
  codeHash: Buffer;
  @Column('uuid') clientId: string;
  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'authorization_codes_client_id_fkey' })
  client?: ClientEntity;
  @Column('uuid') userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'authorization_codes_user_id_fkey' })
  user?: UserEntity;
  @Column('text') redirectUri: string;
  @Column('text') scope: string;
  @Column('text', { nullable: true }) nonce: string | null;
  @Column('text', { nullable: true }) codeChallenge: string | null;
  @Column('text', { nullable: true }) codeChallengeMethod: string | null;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb', { default: ['pwd'] }) amr: string[];
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
  /** The grant its tokens belong to, set when it is consumed. */
  @Column('uuid', { nullable: true }) grantId: string | null;
  /** Whether the authorization request carried redirect_uri (RFC 6749 §4.1.3). */
  @Column('boolean', { default: true }) redirectUriSent: boolean;
  /** The login session it was issued in; no foreign key, the code outlives the session. */
  @Column('bytea', { nullable: true }) sessionIdHash: Buffer | null;
  /** The public id of that session (`sid`), which the grant inherits. */
  @Column('uuid', { nullable: true }) sid: string | null;
  /** When a consumed code was presented again (RFC 6749 §4.1.2: revoke what it issued). */
  @Column('timestamptz', { nullable: true }) replayedAt: Date | null;
  /** The claims the request asked for one by one (OpenID Connect Core §5.5); null when none. */
  @Column('jsonb', { nullable: true }) requestedClaims: RequestedClaims | null;
}
