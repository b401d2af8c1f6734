import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One audit event (CONTRACT §5); append-only (migration CreateAuditEvents). */
@Entity('audit_events')
@Index('audit_events_time_idx', ['time'])
@Index('audit_events_type_idx', ['type', 'id'])
@Index('audit_events_subject_idx', ['subject', 'id'])
@Index('audit_events_client_idx', ['clientId', 'id'])
export class AuditEventEntity {
  @PrimaryColumn('bigint', {
    primaryKeyConstraintName: 'audit_events_pkey',
    generated: 'identity',
    generatedIdentity: 'ALWAYS',
  })
  id: string;
  @Column('timestamptz') time: Date;
  @Column('text') type: string;
  @Column('text', { nullable: true }) actor: string | null;
  @Column('text', { nullable: true }) subject: string | null;
  @Column('text', { nullable: true }) clientId: string | null;
  @Column('text', { nullable: true }) ip: string | null;
  @Column('text') outcome: string;
  @Column('jsonb', { default: {} }) details: Record<string, unknown>;
}
