import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('grants')
export class GrantEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('uuid') clientId: string;
  @Column('uuid', { nullable: true }) userId: string | null;
  @Column('text') subject: string;
  @Column('text') scope: string;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb') amr: string[];
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz', { nullable: true }) revokedAt: Date | null;
}
