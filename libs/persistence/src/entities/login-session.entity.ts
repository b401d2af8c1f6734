import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('login_sessions')
export class LoginSessionEntity {
  @PrimaryColumn('bytea') idHash: Buffer;
  @Column('uuid') userId: string;
  @Column('timestamptz') authTime: Date;
  @Column('jsonb') amr: string[];
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') expiresAt: Date;
}
