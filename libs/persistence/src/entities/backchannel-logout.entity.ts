import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { ClientEntity } from './client.entity';

/**
 * A logout token still to be delivered to a client's backchannel_logout_uri (OpenID Connect
 * Back-Channel Logout 1.0 §2.5). The token itself is minted at each attempt, so a retry never
 * sends an expired one.
 */
@Entity('backchannel_logouts')
@Index('backchannel_logouts_due_idx', ['nextAttemptAt'])
export class BackchannelLogoutEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'backchannel_logouts_pkey' }) id: string;
  @Column('uuid') clientId: string;
  @ManyToOne(() => ClientEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'client_id', foreignKeyConstraintName: 'backchannel_logouts_client_id_fkey' })
  client?: ClientEntity;
  @Column('uuid') sid: string;
  @Column('text') subject: string;
  @Column('integer', { default: 0 }) attempts: number;
  /** When it is next due; an instance sending it pushes this forward first, as its lease. */
  @Column('timestamptz') nextAttemptAt: Date;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('text', { nullable: true }) lastError: string | null;
}
