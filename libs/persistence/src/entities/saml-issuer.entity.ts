import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('saml_issuers')
export class SamlIssuerEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') entityId: string;
  /** PEM certificates. */
  @Column('jsonb') certificates: string[];
  @Column('timestamptz') createdAt: Date;
}
