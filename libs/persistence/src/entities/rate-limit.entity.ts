import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A fixed-window counter (login failures, OTP sends), updated in one statement. */
@Entity('rate_limits')
export class RateLimitEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'rate_limits_pkey' }) bucket: string;
  @Column('timestamptz') windowStart: Date;
  @Column('integer') count: number;
}
