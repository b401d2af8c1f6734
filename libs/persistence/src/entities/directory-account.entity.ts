import { Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryColumn, Unique } from 'typeorm';

import { DirectoryEntity } from './directory.entity';
import { UserEntity } from './user.entity';

/**
 * The directory entry a local user signs in as: found again by the directory's id attribute
 * (entryUUID, objectGUID), never by DN or username, so the user's id (its `sub`) is stable.
 */
@Entity('directory_accounts')
@Unique('directory_accounts_directory_id_external_id_key', ['directoryId', 'externalId'])
export class DirectoryAccountEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'directory_accounts_pkey' }) userId: string;
  @OneToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'directory_accounts_user_id_fkey' })
  user?: UserEntity;
  @Column('uuid') directoryId: string;
  @ManyToOne(() => DirectoryEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({
    name: 'directory_id',
    foreignKeyConstraintName: 'directory_accounts_directory_id_fkey',
  })
  directory?: DirectoryEntity;
  /** The id attribute's value: entryUUID as is, objectGUID in its canonical string form. */
  @Column('text') externalId: string;
  /** The entry's DN at the last sign-in (informational: it may change). */
  @Column('text') dn: string;
  /** The names of the user's directory groups at the last sign-in. */
  @Column('jsonb', { default: [] }) groups: string[];
  @Column('timestamptz', { default: () => 'now()' }) syncedAt: Date;
}
