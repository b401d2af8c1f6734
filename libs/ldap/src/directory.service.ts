import { randomUUID, X509Certificate } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { FilterParser } from 'ldapts';

import { Clock } from '@app/config';
import { MasterKeyCipher } from '@app/crypto';
import { FieldProblem, OAuthError } from '@app/errors';
import {
  AuditContext,
  Database,
  DirectoryRecord,
  DirectoryRepository,
  DirectorySettings,
  SessionEndings,
} from '@app/persistence';

import { DirectoryAttributes } from './directory-entry';
import { fillFilter } from './ldap-filter';

/** What an administrator sets (CONTRACT §4 `directories`); `bindPassword` is write-only. */
export interface DirectoryInput {
  readonly name: string;
  readonly url: string;
  readonly startTls: boolean;
  readonly bindDn: string;
  /** Required on create; omitted on replace keeps the stored one. */
  readonly bindPassword?: string;
  readonly userBaseDn: string;
  readonly userFilter: string;
  readonly attributes: DirectoryAttributes;
  readonly groupBaseDn: string | null;
  readonly groupFilter: string | null;
  readonly memberOfAttribute: string | null;
  readonly groupNameAttribute: string;
  readonly caCertificate: string | null;
  readonly timeoutMs: number;
}

/** A directory as the admin API shows it: never its bind password. */
export type Directory = Omit<DirectoryRecord, 'bindPasswordEncrypted' | 'attributes'> & {
  readonly attributes: DirectoryAttributes;
};

/** The MASTER_KEY context of a directory's bind password: bound to the directory, not movable. */
export function bindPasswordContext(directoryId: string): string {
  return `directory_bind_password:${directoryId}`;
}

// RFC 4512 §1.4: an attribute description is a descriptor (keystring) or a numeric OID.
const ATTRIBUTE_NAME = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)$/;
const PEM_CERTIFICATES =
  /^(?:-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/;

/** Registers, lists, replaces and removes the directories users sign in against. */
@Injectable()
export class DirectoryService {
  constructor(
    private readonly directories: DirectoryRepository,
    private readonly cipher: MasterKeyCipher,
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly endings: SessionEndings,
  ) {}

  /** invalid_request with `fields` for a setting that cannot work; conflict for a taken name. */
  async create(input: DirectoryInput): Promise<Directory> {
    if (input.bindPassword === undefined) {
      throw invalid([{ field: 'bind_password', problems: ['is required'] }]);
    }
    assertValid(input);
    const id = randomUUID();
    const created = await this.directories.create(
      id,
      this.settingsOf(id, input, input.bindPassword),
      this.clock.now(),
    );
    if (!created) throw new OAuthError('conflict', 'A directory with this name already exists.');
    return toDirectory(created);
  }

  /** Every directory, in creation order (the order sign-in asks them in). */
  async list(): Promise<Directory[]> {
    return (await this.directories.findAll()).map(toDirectory);
  }

  async get(id: string): Promise<Directory> {
    const found = await this.directories.findById(id);
    if (!found) throw new OAuthError('not_found', 'No such directory.');
    return toDirectory(found);
  }

  /**
   * Replaces every setting; a missing bind password keeps the stored one, but only for the
   * connection it was given for. The admin API never shows it, so a PUT that moved the
   * directory elsewhere (another URL, no StartTLS, another bind DN or CA) and kept it would send
   * it, in clear over ldap://, to wherever the new settings point at the next sign-in: a new
   * connection needs the password given again.
   */
  async replace(id: string, input: DirectoryInput): Promise<Directory> {
    assertValid(input);
    const current = await this.directories.findById(id);
    if (!current) throw new OAuthError('not_found', 'No such directory.');
    if (input.bindPassword === undefined) {
      const moved = (
        [
          ['url', current.url !== input.url],
          ['start_tls', current.startTls !== input.startTls],
          ['bind_dn', current.bindDn !== input.bindDn],
          ['ca_certificate', current.caCertificate !== input.caCertificate],
        ] as const
      ).filter(([, changed]) => changed);
      if (moved.length > 0) {
        throw invalid([
          {
            field: 'bind_password',
            problems: [
              `is required when ${moved.map(([field]) => field).join(', ')} change (the stored one goes only where it went)`,
            ],
          },
        ]);
      }
    }
    const password =
      input.bindPassword ??
      this.cipher.decryptString(current.bindPasswordEncrypted, bindPasswordContext(id));
    const replaced = await this.directories.replace(
      id,
      this.settingsOf(id, input, password),
      this.clock.now(),
    );
    if (replaced === 'conflict')
      throw new OAuthError('conflict', 'A directory with this name already exists.');
    if (!replaced) throw new OAuthError('not_found', 'No such directory.');
    return toDirectory(replaced);
  }

  /**
   * Removes the directory and the users who signed in through it (their tokens stop working), in
   * one transaction. Their sessions end first, as a user's deletion ends them: logout tokens for
   * the clients that took tokens in them, and a logout event each, naming `source`.
   */
  async delete(id: string, source: AuditContext): Promise<void> {
    const now = this.clock.now();
    const deleted = await this.db.transaction(async (tx) => {
      const ended = await this.directories.endSessionsOfUsers(id, tx);
      await this.endings.record(ended, 'user_deleted', source, now, tx);
      return this.directories.deleteWithUsers(id, tx);
    });
    if (!deleted) throw new OAuthError('not_found', 'No such directory.');
    await this.endings.published();
  }

  private settingsOf(id: string, input: DirectoryInput, bindPassword: string): DirectorySettings {
    return {
      name: input.name,
      url: input.url,
      startTls: input.startTls,
      bindDn: input.bindDn,
      bindPasswordEncrypted: this.cipher.encrypt(bindPassword, bindPasswordContext(id)),
      userBaseDn: input.userBaseDn,
      userFilter: input.userFilter,
      attributes: { ...input.attributes },
      groupBaseDn: input.groupBaseDn,
      groupFilter: input.groupFilter,
      memberOfAttribute: input.memberOfAttribute,
      groupNameAttribute: input.groupNameAttribute,
      caCertificate: input.caCertificate,
      timeoutMs: input.timeoutMs,
    };
  }
}

function toDirectory(record: DirectoryRecord): Directory {
  const { bindPasswordEncrypted: _secret, attributes, ...rest } = record;
  return { ...rest, attributes: attributes as unknown as DirectoryAttributes };
}

function invalid(fields: FieldProblem[]): OAuthError {
  return new OAuthError('invalid_request', 'The directory is not valid.', { fields });
}

/** What the DTO's types cannot say: URL scheme, filters, attribute names, exclusive group modes. */
export function assertValid(input: DirectoryInput): void {
  const problems: FieldProblem[] = [];
  const add = (field: string, problem: string) => problems.push({ field, problems: [problem] });

  const url = parseUrl(input.url);
  if (!url) add('url', 'must be an ldap:// or ldaps:// URL with a host');
  else if (url.protocol === 'ldaps:' && input.startTls)
    add('start_tls', 'must be false for ldaps:// (the connection is TLS from the start)');
  for (const [field, value] of [
    ['name', input.name],
    ['bind_dn', input.bindDn],
    ['user_base_dn', input.userBaseDn],
  ] as const) {
    if (value.trim() === '') add(field, 'must not be empty');
  }
  if (input.bindPassword !== undefined && input.bindPassword === '')
    add('bind_password', 'must not be empty (an empty password is an unauthenticated bind)');
  checkFilter(input.userFilter, 'username', 'user_filter', add);
  for (const [claim, attribute] of Object.entries(input.attributes)) {
    if (typeof attribute === 'string' && !ATTRIBUTE_NAME.test(attribute))
      add(`attributes.${claim}`, 'must be an attribute name or OID');
  }
  for (const [field, attribute] of [
    ['member_of_attribute', input.memberOfAttribute],
    ['group_name_attribute', input.groupNameAttribute],
  ] as const) {
    if (attribute !== null && !ATTRIBUTE_NAME.test(attribute))
      add(field, 'must be an attribute name or OID');
  }
  const searchesGroups = input.groupBaseDn !== null || input.groupFilter !== null;
  if (searchesGroups && input.memberOfAttribute !== null)
    add('member_of_attribute', 'must not be set with group_base_dn and group_filter');
  if (searchesGroups && (input.groupBaseDn === null || input.groupBaseDn.trim() === ''))
    add('group_base_dn', 'is required with group_filter');
  if (searchesGroups && input.groupFilter === null)
    add('group_filter', 'is required with group_base_dn');
  if (input.groupFilter !== null) checkFilter(input.groupFilter, 'dn', 'group_filter', add);
  if (input.caCertificate !== null && !isCertificateList(input.caCertificate))
    add('ca_certificate', 'must be PEM X.509 certificates');
  if (problems.length > 0) throw invalid(problems);
}

function checkFilter(
  template: string,
  placeholder: 'username' | 'dn',
  field: string,
  add: (field: string, problem: string) => void,
): void {
  if (!template.includes(`{${placeholder}}`)) {
    add(field, `must contain {${placeholder}}`);
    return;
  }
  try {
    FilterParser.parseString(fillFilter(template, placeholder, 'x'));
  } catch {
    add(field, 'must be an RFC 4515 filter');
  }
}

function parseUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    const plain = url.pathname === '' || url.pathname === '/';
    return (url.protocol === 'ldap:' || url.protocol === 'ldaps:') &&
      url.hostname !== '' &&
      plain &&
      url.search === '' &&
      url.username === ''
      ? url
      : null;
  } catch {
    return null;
  }
}

function isCertificateList(pem: string): boolean {
  if (!PEM_CERTIFICATES.test(pem.trim() + '\n')) return false;
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    for (const block of blocks) new X509Certificate(block);
    return blocks.length > 0;
  } catch {
    return false;
  }
}
