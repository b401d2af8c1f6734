import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { OAuthError } from '@app/errors';
import { GroupChange, GroupRecord, GroupRepository } from '@app/persistence';

/** A group as the admin API shows it. */
export type Group = GroupRecord;

/** What creating a group takes. */
export interface NewGroup {
  readonly name: string;
  readonly description?: string | null;
  readonly requireMfa?: boolean;
}

/** One page of groups; `nextCursor` is null on the last page. */
export interface GroupPage {
  readonly items: Group[];
  readonly nextCursor: string | null;
}

/** Groups and their members (CONTRACT §4): names unique in canonical form, a duplicate is a conflict. */
@Injectable()
export class GroupService {
  constructor(
    private readonly groups: GroupRepository,
    private readonly clock: Clock,
  ) {}

  async create(group: NewGroup): Promise<Group> {
    const created = await this.groups.create({
      id: randomUUID(),
      name: group.name,
      description: group.description ?? null,
      requireMfa: group.requireMfa ?? false,
      createdAt: this.clock.now(),
    });
    if (created === 'conflict') throw conflict();
    return created;
  }

  findById(id: string): Promise<Group | null> {
    return this.groups.findById(id);
  }

  /** By the canonical form of the name: `ADMINS` finds `Admins`. */
  findByName(name: string): Promise<Group | null> {
    return this.groups.findByName(name);
  }

  /** Null when there is no such group. */
  async patch(id: string, change: GroupChange): Promise<Group | null> {
    const updated = await this.groups.update(id, change, this.clock.now());
    if (updated === 'conflict') throw conflict();
    return updated;
  }

  delete(id: string): Promise<boolean> {
    return this.groups.delete(id);
  }

  /** False when the group or the user does not exist. */
  addMember(groupId: string, userId: string): Promise<boolean> {
    return this.groups.addMember(groupId, userId);
  }

  /** False when the group or the user does not exist; not being a member is fine. */
  removeMember(groupId: string, userId: string): Promise<boolean> {
    return this.groups.removeMember(groupId, userId);
  }

  /** One page ordered by canonical name. */
  async list(limit: number, cursor: string | null): Promise<GroupPage> {
    const after = cursor === null ? null : decodeCursor(cursor);
    const rows = await this.groups.list(limit + 1, after);
    const items = rows.slice(0, limit);
    const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1].name) : null;
    return { items, nextCursor };
  }
}

function conflict(): OAuthError {
  return new OAuthError('conflict', 'A group with this name already exists.');
}

function encodeCursor(lastName: string): string {
  return Buffer.from(JSON.stringify({ after: lastName }), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  let after: unknown;
  try {
    after = (
      JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown } | null
    )?.after;
  } catch {
    after = undefined;
  }
  if (typeof after !== 'string') {
    throw new OAuthError('invalid_request', 'The cursor is invalid.', {
      fields: [{ field: 'cursor', problems: ['is not a cursor this API returned'] }],
    });
  }
  return after;
}
