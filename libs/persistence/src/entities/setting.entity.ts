import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Named values the server keeps for itself (the MASTER_KEY check value). */
@Entity('settings')
export class SettingEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'settings_pkey' }) name: string;
  @Column('text') value: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
