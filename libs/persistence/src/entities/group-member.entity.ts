import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { GroupEntity } from './group.entity';
import { UserEntity } from './user.entity';

/** A user's membership of a group; goes with either of them. */
@Entity('group_members')
@Index('group_members_user_idx', ['userId'])
export class GroupMemberEntity {
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'group_members_pkey' }) groupId: string;
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'group_members_pkey' }) userId: string;
  @ManyToOne(() => GroupEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'group_id', foreignKeyConstraintName: 'group_members_group_id_fkey' })
  group?: GroupEntity;
  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'group_members_user_id_fkey' })
  user?: UserEntity;
}
