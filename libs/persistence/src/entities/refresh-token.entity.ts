import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { GrantEntity } from './grant.entity';

/** A refresh token, stored only as its SHA-256; consumed once by rotation (RFC 9700 §4.14.2). */
@Entity('refresh_tokens')
@Index('refresh_tokens_grant_idx', ['grantId'])
@Index('refresh_tokens_expires_idx', ['expiresAt'])
export class RefreshTokenEntity {
  @PrimaryColumn('bytea', { primaryKeyConstraintName: 'refresh_tokens_pkey' }) tokenHash: Buffer;
  @Column('uuid') grantId: string;
  @ManyToOne(() => GrantEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'grant_id', foreignKeyConstraintName: 'refresh_tokens_grant_id_fkey' })
  grant?: GrantEntity;
  @Column('uuid') clientId: string;
  @Column('text') scope: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
  @Column('timestamptz', { nullable: true }) consumedAt: Date | null;
}
