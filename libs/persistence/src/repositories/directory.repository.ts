import { Injectable } from '@nestjs/common';

import { Database, isUniqueViolation, Transaction } from '../database';
import { isCanonicalUuid } from '../identifiers';
import { EndedLoginSession } from './login-session.repository';

/** A directory as stored; the bind password stays encrypted (MASTER_KEY). */
export interface DirectoryRecord {
  id: string;
  name: string;
  url: string;
  startTls: boolean;
  bindDn: string;
  bindPasswordEncrypted: string;
  userBaseDn: string;
  userFilter: string;
  attributes: Record<string, string>;
  groupBaseDn: string | null;
  groupFilter: string | null;
  memberOfAttribute: string | null;
  groupNameAttribute: string;
  caCertificate: string | null;
  timeoutMs: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Everything an administrator sets (the id and times are the server's). */
export type DirectorySettings = Omit<DirectoryRecord, 'id' | 'createdAt' | 'updatedAt'>;

const COLUMNS = `id, name, url, start_tls AS "startTls", bind_dn AS "bindDn",
  bind_password_encrypted AS "bindPasswordEncrypted", user_base_dn AS "userBaseDn",
  user_filter AS "userFilter", attributes, group_base_dn AS "groupBaseDn",
  group_filter AS "groupFilter", member_of_attribute AS "memberOfAttribute",
  group_name_attribute AS "groupNameAttribute", ca_certificate AS "caCertificate",
  timeout_ms AS "timeoutMs", created_at AS "createdAt", updated_at AS "updatedAt"`;

function values(settings: DirectorySettings): unknown[] {
  return [
    settings.name,
    settings.url,
    settings.startTls,
    settings.bindDn,
    settings.bindPasswordEncrypted,
    settings.userBaseDn,
    settings.userFilter,
    JSON.stringify(settings.attributes),
    settings.groupBaseDn,
    settings.groupFilter,
    settings.memberOfAttribute,
    settings.groupNameAttribute,
    settings.caCertificate,
    settings.timeoutMs,
  ];
}

/** LDAP / Active Directory directories (table `directories`), names unique. */
@Injectable()
export class DirectoryRepository {
  constructor(private readonly db: Database) {}

  /** Stores a new directory; null when the name is taken (one statement, race-free). */
  async create(
    id: string,
    settings: DirectorySettings,
    now: Date,
  ): Promise<DirectoryRecord | null> {
    const rows = await this.db.query<DirectoryRecord>(
      `INSERT INTO directories (id, name, url, start_tls, bind_dn, bind_password_encrypted,
         user_base_dn, user_filter, attributes, group_base_dn, group_filter, member_of_attribute,
         group_name_attribute, ca_certificate, timeout_ms, created_at, updated_at)
       VALUES ($15, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $16, $16)
       ON CONFLICT (name) DO NOTHING
       RETURNING ${COLUMNS}`,
      [...values(settings), id, now],
    );
    return rows[0] ?? null;
  }

  /** Every directory in creation order: the order sign-in asks them in. */
  findAll(): Promise<DirectoryRecord[]> {
    return this.db.query<DirectoryRecord>(
      `SELECT ${COLUMNS} FROM directories ORDER BY created_at, id`,
    );
  }

  async findById(id: string): Promise<DirectoryRecord | null> {
    if (!isCanonicalUuid(id)) return null;
    const rows = await this.db.query<DirectoryRecord>(
      `SELECT ${COLUMNS} FROM directories WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Replaces every setting; null when there is no such directory, 'conflict' when the name is taken. */
  async replace(
    id: string,
    settings: DirectorySettings,
    now: Date,
  ): Promise<DirectoryRecord | 'conflict' | null> {
    if (!isCanonicalUuid(id)) return null;
    try {
      const rows = await this.db.query<DirectoryRecord>(
        `UPDATE directories SET name = $1, url = $2, start_tls = $3, bind_dn = $4,
           bind_password_encrypted = $5, user_base_dn = $6, user_filter = $7, attributes = $8,
           group_base_dn = $9, group_filter = $10, member_of_attribute = $11,
           group_name_attribute = $12, ca_certificate = $13, timeout_ms = $14, updated_at = $16
         WHERE id = $15
         RETURNING ${COLUMNS}`,
        [...values(settings), id, now],
      );
      return rows[0] ?? null;
    } catch (error) {
      if (isUniqueViolation(error)) return 'conflict';
      throw error;
    }
  }

  /**
   * Locks the local users who signed in through the directory (no session or grant of theirs can
   * be added until `tx` ends) and ends their login sessions, which it returns: the caller records
   * the endings before `deleteWithUsers` takes the rest.
   */
  async endSessionsOfUsers(id: string, tx: Transaction): Promise<EndedLoginSession[]> {
    if (!isCanonicalUuid(id)) return [];
    const users = `SELECT user_id FROM directory_accounts WHERE directory_id = $1`;
    await this.db.query(`SELECT id FROM users WHERE id IN (${users}) FOR UPDATE`, [id], tx);
    return this.db.query<EndedLoginSession>(
      `DELETE FROM login_sessions WHERE user_id IN (${users}) RETURNING sid, user_id AS "userId"`,
      [id],
      tx,
    );
  }

  /**
   * Deletes the directory and the local users who signed in through it, in `tx`: nobody can sign
   * in as them any more, so their grants go too (cascade). The caller propagates the change once
   * committed, so every token cache drops the grants.
   */
  async deleteWithUsers(id: string, tx: Transaction): Promise<boolean> {
    if (!isCanonicalUuid(id)) return false;
    await this.db.query(
      `DELETE FROM users WHERE id IN (SELECT user_id FROM directory_accounts WHERE directory_id = $1)`,
      [id],
      tx,
    );
    const deleted = await this.db.query(
      `DELETE FROM directories WHERE id = $1 RETURNING id`,
      [id],
      tx,
    );
    return deleted.length === 1;
  }
}
