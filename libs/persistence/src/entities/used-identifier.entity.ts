import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A single-use identifier (client JWT jti, SAML assertion ID), kept until it expires. */
@Entity('used_identifiers')
@Index('used_identifiers_expires_idx', ['expiresAt'])
export class UsedIdentifierEntity {
  @PrimaryColumn('text', { primaryKeyConstraintName: 'used_identifiers_pkey' }) namespace: string;
  @PrimaryColumn('text', { primaryKeyConstraintName: 'used_identifiers_pkey' }) value: string;
  @Column('timestamptz') expiresAt: Date;
}
