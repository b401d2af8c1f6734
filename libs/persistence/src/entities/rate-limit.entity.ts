import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('rate_limits')
export class RateLimitEntity {
  @PrimaryColumn('text') bucket: string;
  @Column('timestamptz') windowStart: Date;
  @Column('integer') count: number;
}
