import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import { MasterKeyCipher } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  DirectoryAccountRepository,
  DirectoryRecord,
  DirectoryRepository,
  UserRecord,
} from '@app/persistence';

import { bindPasswordContext } from './directory.service';
import {
  claimsOf,
  DirectoryAttributes,
  externalIdOf,
  firstRdnValue,
  isBinaryIdAttribute,
  LdapEntry,
  textOf,
  valuesOf,
} from './directory-entry';
import { fillFilter } from './ldap-filter';
import { DirectoryUnavailable, LdapSession } from './ldap-session';

/**
 * What the directories said about a username and password:
 * - `unknown`: no directory has the username (the caller goes on as for an unknown user);
 * - `refused`: a directory has it and the password is wrong (or empty, or the name ambiguous);
 * - `signed_in`: the local user of the entry, created or brought up to date.
 */
export type DirectorySignInOutcome =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'refused' }
  | { readonly kind: 'signed_in'; readonly user: UserRecord };

/** Seconds a client is told to wait (Retry-After) when a directory does not answer. */
export const DIRECTORY_RETRY_AFTER_SECONDS = 5;

/**
 * Sign-in by LDAP bind (CONTRACT §4 "Directory users sign in ..."): in each directory in
 * creation order, find the username with the service account (`user_filter`, the username
 * RFC 4515-escaped), and the first directory that has it decides: a bind as the entry's DN with
 * the user's own password. On success the entry's claims and groups are copied to its local user,
 * found by the directory's id attribute, so its id (the `sub`) survives renames and moves.
 */
@Injectable()
export class DirectorySignIn {
  constructor(
    private readonly directories: DirectoryRepository,
    private readonly accounts: DirectoryAccountRepository,
    private readonly cipher: MasterKeyCipher,
    private readonly clock: Clock,
  ) {}

  /**
   * The outcome for `username` and `password`; temporarily_unavailable (503, Retry-After) when a
   * directory asked before the deciding one does not answer: nothing is decided, nothing counted.
   */
  async authenticate(username: string, password: string): Promise<DirectorySignInOutcome> {
    for (const directory of await this.directories.findAll()) {
      let outcome: DirectorySignInOutcome;
      try {
        outcome = await this.tryDirectory(directory, username, password);
      } catch (error) {
        if (!(error instanceof DirectoryUnavailable)) throw error;
        throw new OAuthError(
          'temporarily_unavailable',
          'The directory is not answering; try again shortly.',
          {
            retryAfterSeconds: DIRECTORY_RETRY_AFTER_SECONDS,
            detail: `directory ${directory.name} (${directory.id}): ${error.detail}`,
          },
        );
      }
      if (outcome.kind !== 'unknown') return outcome;
    }
    return { kind: 'unknown' };
  }

  private async tryDirectory(
    directory: DirectoryRecord,
    username: string,
    password: string,
  ): Promise<DirectorySignInOutcome> {
    const bindPassword = this.cipher.decryptString(
      directory.bindPasswordEncrypted,
      bindPasswordContext(directory.id),
    );
    const session = await LdapSession.open(directory, directory.bindDn, bindPassword);
    try {
      const attributes = directory.attributes as unknown as DirectoryAttributes;
      const found = await session.search(
        directory.userBaseDn,
        fillFilter(directory.userFilter, 'username', username),
        requestedAttributes(directory, attributes),
        { sizeLimit: 2, binary: isBinaryIdAttribute(attributes.id) ? [attributes.id] : [] },
      );
      if (found === 'too_many' || found.length > 1) return { kind: 'refused' };
      if (found.length === 0) return { kind: 'unknown' };
      const [entry] = found;
      if (!(await session.verifyPassword(entry.dn, password))) return { kind: 'refused' };
      const externalId = externalIdOf(entry, attributes.id);
      if (externalId === null) {
        throw new DirectoryUnavailable(`entry has no ${attributes.id} (the id attribute)`);
      }
      await session.bindService(directory.bindDn, bindPassword);
      const groups = await groupsOf(session, directory, entry);
      const user = await this.accounts.synchronize(
        {
          directoryId: directory.id,
          externalId,
          dn: entry.dn,
          username: textOf(entry, attributes.username) ?? username,
          claims: claimsOf(entry, attributes),
          groups,
        },
        this.clock.now(),
      );
      // Deleted while this sign-in was under way: as if it had not been configured (nothing
      // was written; the transaction that would have made the user rolled back).
      if (user === 'directory_removed') return { kind: 'unknown' };
      if (user === 'username_taken') {
        throw new OAuthError('access_denied', 'This account cannot sign in here.', {
          detail: `directory ${directory.name}: the entry's username belongs to another user`,
        });
      }
      return { kind: 'signed_in', user };
    } finally {
      await session.close();
    }
  }
}

function requestedAttributes(
  directory: DirectoryRecord,
  attributes: DirectoryAttributes,
): string[] {
  const names = Object.values(attributes).filter(
    (name): name is string => typeof name === 'string',
  );
  if (directory.memberOfAttribute !== null) names.push(directory.memberOfAttribute);
  return [...new Set(names)];
}

/**
 * The names of the entry's groups: by searching `group_base_dn` with `group_filter` (the DN
 * escaped), or from `member_of_attribute`'s DNs, named by their first RDN when it is the name
 * attribute (`cn=Staff,…`), else by reading the group entry.
 */
async function groupsOf(
  session: LdapSession,
  directory: DirectoryRecord,
  entry: LdapEntry,
): Promise<string[]> {
  const nameAttribute = directory.groupNameAttribute;
  const names = new Set<string>();
  if (directory.groupBaseDn !== null && directory.groupFilter !== null) {
    const groups = await session.search(
      directory.groupBaseDn,
      fillFilter(directory.groupFilter, 'dn', entry.dn),
      [nameAttribute],
      {},
    );
    for (const group of groups === 'too_many' ? [] : groups) {
      const name = textOf(group, nameAttribute);
      if (name !== null) names.add(name);
    }
  } else if (directory.memberOfAttribute !== null) {
    for (const value of valuesOf(entry, directory.memberOfAttribute)) {
      const dn = Buffer.isBuffer(value) ? value.toString('utf8') : value;
      const name =
        firstRdnValue(dn, nameAttribute) ?? (await readGroupName(session, dn, nameAttribute));
      if (name !== null) names.add(name);
    }
  }
  return [...names].sort();
}

async function readGroupName(
  session: LdapSession,
  dn: string,
  nameAttribute: string,
): Promise<string | null> {
  const found = await session.search(dn, '(objectClass=*)', [nameAttribute], { scope: 'base' });
  return found === 'too_many' || found.length === 0 ? null : textOf(found[0], nameAttribute);
}
