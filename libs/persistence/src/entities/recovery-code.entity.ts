import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { UserEntity } from './user.entity';

/** A one-time recovery code, shown once at enrolment; only its keyed hash is stored. */
@Entity('recovery_codes')
@Index('recovery_codes_user_idx', ['userId'])
export class RecoveryCodeEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'recovery_codes_pkey' }) id: string;
  @Column('uuid') userId: string;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'recovery_codes_user_id_fkey' })
  user?: UserEntity;
  /** HMAC-SHA256 of the code under a key derived from MASTER_KEY. */
  @Column('bytea') codeHash: Buffer;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { nullable: true }) usedAt: Date | null;
}
