import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A `sub` handed to an external identity source, and the value that source presented. */
@Entity('subjects')
@Unique('subjects_source_external_id_key', ['source', 'externalId'])
export class SubjectEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'subjects_pkey' }) sub: string;
  /** The identity source: `saml:<issuer entity id>`, `otp:sms`, `otp:email`. */
  @Column('text') source: string;
  /** The value the source presented: the NameID, the MSISDN, the e-mail address. */
  @Column('text') externalId: string;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
