import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** An LDAP or Active Directory users sign in against (CONTRACT §4 `directories`). */
@Entity('directories')
@Unique('directories_name_key', ['name'])
export class DirectoryEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'directories_pkey' }) id: string;
  @Column('text') name: string;
  /** `ldap://` or `ldaps://`. */
  @Column('text') url: string;
  @Column('boolean', { default: false }) startTls: boolean;
  @Column('text') bindDn: string;
  /** The service account's password, encrypted with MASTER_KEY (context `directory_bind_password:<id>`). */
  @Column('text') bindPasswordEncrypted: string;
  @Column('text') userBaseDn: string;
  /** An RFC 4515 filter with `{username}`, replaced by the escaped username. */
  @Column('text') userFilter: string;
  /** Claim (and `id`, `username`) → directory attribute name. */
  @Column('jsonb') attributes: Record<string, string>;
  @Column('text', { nullable: true }) groupBaseDn: string | null;
  /** An RFC 4515 filter with `{dn}`, replaced by the escaped DN of the user. */
  @Column('text', { nullable: true }) groupFilter: string | null;
  @Column('text', { nullable: true }) memberOfAttribute: string | null;
  @Column('text', { default: 'cn' }) groupNameAttribute: string;
  /** PEM certificates trusted for ldaps:// and StartTLS; null: the system's CAs. */
  @Column('text', { nullable: true }) caCertificate: string | null;
  @Column('integer', { default: 3000 }) timeoutMs: number;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { default: () => 'now()' }) updatedAt: Date;
}
