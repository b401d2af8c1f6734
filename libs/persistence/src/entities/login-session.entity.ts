import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, Unique } from 'typeorm';

import { UserEntity } from './user.entity';

/** A browser's sign-in, found by the SHA-256 of its cookie value. */
@Entity('login_sessions')
@Index('login_sessions_user_idx', ['userId'])
@Index('login_sessions_expires_idx', ['expiresAt'])
@Unique('login_sessions_sid_key', ['sid'])
export class LoginSessionEntity {
  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'login_sessions_pkey' }) idHash: Buffer;
  @Column('uuid') userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'login_sessions_user_id_fkey' })
  user?: UserEntity;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb', { default: ['pwd'] }) amr: string[];
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  /** The public session id (Back-Channel Logout §2.1 `sid`): kept when the same user signs in again. */
  @Column('uuid') sid: string;
}
