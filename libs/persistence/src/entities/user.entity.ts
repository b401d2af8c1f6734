import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A user who signs in with a password. Deleting one cascades to its grants, sessions and codes. */
@Entity('users')
@Index('users_username_key_idx', ['usernameKey'], { unique: true })
export class UserEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'users_pkey' }) id: string;
  /** As the administrator typed it. */
  @Column('text') username: string;
  /** canonicalUsername(username): the unique lookup key. */
  @Column('text') usernameKey: string;
  /** argon2id PHC string. */
  @Column('text') passwordHash: string;
  /** OIDC standard claims (email, email_verified, phone_number, ...). */
  @Column('jsonb', { default: {} }) claims: Record<string, unknown>;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { default: () => 'now()' }) updatedAt: Date;
}
