import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { RequestedClaims } from '../requested-claims';
import { ClientEntity } from './client.entity';
import { UserEntity } from './user.entity';

/**
 * One authorization of a client by a subject: every refresh token and access token that came
 * from it belongs to it, so revoking it ends them all.
 */
@Entity('grants')
@Index('grants_created_idx', ['createdAt'])
@Index('grants_session_idx', ['sessionId'])
@Index('grants_client_idx', ['clientId'])
@Index('grants_user_idx', ['userId'])
export class GrantEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'grants_pkey' }) id: string;
  @Column('uuid') clientId: string;
  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'grants_client_id_fkey' })
  client?: ClientEntity;
  /** The registered user, or null for a subject from SAML, OTP or client credentials. */
  @Column('uuid', { nullable: true }) userId: string | null;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'grants_user_id_fkey' })
  user?: UserEntity | null;
  @Column('text') subject: string;
  @Column('text') scope: string;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb', { default: [] }) amr: string[];
  /** Claims released at userinfo beyond a registered user's own (OTP e-mail/phone, SAML attributes). */
  @Column('jsonb', { default: {} }) claims: Record<string, unknown>;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) revokedAt: Date | null;
  /** The claims the authorization request asked for one by one (OpenID Connect Core §5.5); null when none. */
  @Column('jsonb', { nullable: true }) requestedClaims: RequestedClaims | null;
  /**
   * The login session (`sid`) the grant came from; without offline_access the grant ends with
   * it (OpenID Connect Core §11). Null for grants made without a browser.
   */
  @Column('uuid', { nullable: true }) sessionId: string | null;
}
