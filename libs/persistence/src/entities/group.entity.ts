import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** A group of users, known by its name (unique in its canonical form, like usernames). */
@Entity('groups')
@Unique('groups_name_key_key', ['nameKey'])
export class GroupEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'groups_pkey' }) id: string;
  /** As the administrator typed it. */
  @Column('text') name: string;
  /** canonicalUsername(name): the unique lookup key. */
  @Column('text') nameKey: string;
  @Column('text', { nullable: true }) description: string | null;
  /** Whether signing in as a member asks for a second factor (CONTRACT §3). */
  @Column('boolean', { default: false }) requireMfa: boolean;
  @Column('timestamptz', { default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { default: () => 'now()' }) updatedAt: Date;
}
