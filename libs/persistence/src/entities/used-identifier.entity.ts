import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('used_identifiers')
export class UsedIdentifierEntity {
  @PrimaryColumn('text') namespace: string;
  @PrimaryColumn('text') value: string;
  @Column('timestamptz') expiresAt: Date;
}
