import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('settings')
export class SettingEntity {
  @PrimaryColumn('text') name: string;
  @Column('text') value: string;
  @Column('timestamptz') createdAt: Date;
}
