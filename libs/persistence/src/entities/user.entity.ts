import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text') username: string;
  /** canonicalUsername(username): the unique lookup key. */
  @Column('text') usernameKey: string;
  @Column('text') passwordHash: string;
  /** OIDC standard claims (email, email_verified, phone_number, ...). */
  @Column('jsonb') claims: Record<string, unknown>;
  @Column('timestamptz') createdAt: Date;
  @Column('timestamptz') updatedAt: Date;
}
