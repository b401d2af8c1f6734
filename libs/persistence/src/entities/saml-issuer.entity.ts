import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A trusted SAML assertion issuer (RFC 7522 grant): one row per entityID. */
@Entity('saml_issuers')
@Unique('saml_issuers_entity_id_key', ['entityId'])
export class SamlIssuerEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'saml_issuers_pkey' }) id: string;
  @Column('text') entityId: string;
  /** PEM certificates. */
  @Column('jsonb') certificates: string[];
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
}
