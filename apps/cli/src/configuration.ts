import { randomBytes } from 'node:crypto';

import { AdminApi, CliError, ExitCode } from './admin-api';

type Json = Record<string, unknown>;

/** The whole configuration as `export` writes it: no secret in clear (CONTRACT §5). */
export interface ConfigurationExport {
  format: 'uas-admin-export';
  version: 1;
  exported_at: string;
  /** Client metadata; `client_id` for reference only, the secret never. */
  clients: Json[];
  /** Users with their claims; `id` for reference only, the password never (only its hash is stored). */
  users: Json[];
  saml_issuers: Array<{ entity_id: string; certificates: string[] }>;
  /** Names and scopes; the keys themselves are never readable. */
  api_keys: Array<{ name: string; scopes: string[] }>;
  /**
   * LDAP / Active Directory settings without `bind_password`, which the server never returns:
   * to create one on import, add `bind_password` to it in the file.
   */
  directories: Json[];
  /** Groups by name; their members are the users' `groups` (names). */
  groups: Array<{ name: string; description: string | null; require_mfa: boolean }>;
}

// Members the server assigns: never sent back on create or replace.
export const CLIENT_READ_ONLY = [
  'client_id',
  'client_id_issued_at',
  'client_secret',
  'client_secret_expires_at',
];
const USER_READ_ONLY = ['id', 'username', 'source', 'created_at', 'updated_at', 'groups'];
const DIRECTORY_READ_ONLY = ['id', 'created_at', 'updated_at'];
/** Where a directory's bind password goes: changing any needs the password given again. */
const DIRECTORY_CONNECTION = ['url', 'start_tls', 'bind_dn', 'ca_certificate'];

export async function exportConfiguration(api: AdminApi): Promise<ConfigurationExport> {
  const [clients, users, issuers, apiKeys, directories, groups] = await Promise.all([
    api.listAll<Json>('/clients'),
    api.listAll<Json>('/users'),
    api.get<{ items: Json[] }>('/saml-issuers'),
    api.get<{ items: Json[] }>('/api-keys'),
    api.get<{ items: Json[] }>('/directories'),
    api.listAll<Json>('/groups'),
  ]);
  return {
    format: 'uas-admin-export',
    version: 1,
    exported_at: new Date().toISOString(),
    clients: clients.map((client) => omit(client, ['client_secret'])),
    // A directory's users come back by signing in through it; as local users they could not.
    users: users
      .filter((user) => user.source !== 'directory')
      .map((user) => omit(user, ['created_at', 'updated_at'])),
    saml_issuers: issuers.items.map((i) => ({
      entity_id: i.entity_id as string,
      certificates: i.certificates as string[],
    })),
    api_keys: apiKeys.items.map((k) => ({ name: k.name as string, scopes: k.scopes as string[] })),
    directories: directories.items.map((d) => omit(d, ['created_at', 'updated_at'])),
    groups: groups.map((g) => ({
      name: g.name as string,
      description: (g.description as string | null) ?? null,
      require_mfa: g.require_mfa === true,
    })),
  };
}

/** One change an import makes: what, which, and how to undo it. */
export interface Change {
  action: 'create' | 'update';
  kind: 'client' | 'user' | 'saml_issuer' | 'api_key' | 'directory' | 'group' | 'membership';
  /** client_name, username, entity_id, API key name, directory or group name, or `group/username`. */
  name: string;
  apply: () => Promise<Json | undefined>;
  undo?: () => Promise<void>;
}

/**
 * Compares the file with the server: objects are matched by their natural key (client_name,
 * username, entity_id, API key name); missing ones are created, differing clients and users
 * replaced. Refuses, before anything is written, what cannot be applied as a whole.
 */
export async function planImport(api: AdminApi, file: unknown): Promise<Change[]> {
  const config = validateFile(file);
  const current = await exportConfiguration(api);
  const changes: Change[] = [];
  const byKey = <T>(items: T[], key: (item: T) => unknown) =>
    new Map(items.map((item) => [String(key(item)), item]));

  const clients = byKey(current.clients, (c) => c.client_name);
  for (const wanted of config.clients) {
    const metadata = omit(wanted, CLIENT_READ_ONLY);
    const name = typeof metadata.client_name === 'string' ? metadata.client_name : '';
    const existing = name ? clients.get(name) : undefined;
    if (!existing) {
      changes.push(
        creation(
          'client',
          name,
          async () => ({
            from_client_id: wanted.client_id,
            ...(await api.post<Json>('/clients', metadata)),
          }),
          (made) => api.delete(`/clients/${String(made.client_id)}`),
        ),
      );
    } else if (!sameJson(omit(existing, CLIENT_READ_ONLY), metadata)) {
      const id = String(existing.client_id);
      changes.push({
        action: 'update',
        kind: 'client',
        name,
        apply: () => api.put<Json>(`/clients/${id}`, metadata),
        undo: async () => {
          await api.put(`/clients/${id}`, omit(existing, CLIENT_READ_ONLY));
        },
      });
    }
  }

  const users = byKey(current.users, (u) => u.username);
  for (const wanted of config.users) {
    const username = String(wanted.username);
    const claims = omit(wanted, USER_READ_ONLY);
    const existing = users.get(username);
    if (!existing) {
      changes.push(
        creation(
          'user',
          username,
          // Password hashes are never exported: the user gets a random password nobody knows,
          // and signs in once an administrator sets one (PATCH /admin/v1/users/{id}).
          () =>
            api.post<Json>('/users', {
              ...claims,
              username,
              password: randomBytes(32).toString('base64url'),
            }),
          (made) => api.delete(`/users/${String(made.id)}`),
        ),
      );
    } else if (!sameJson(omit(existing, USER_READ_ONLY), claims)) {
      const id = String(existing.id);
      const patch = { ...claims };
      // PATCH: null removes a claim the file no longer has.
      for (const name of Object.keys(omit(existing, USER_READ_ONLY)))
        if (!(name in patch)) patch[name] = null;
      changes.push({
        action: 'update',
        kind: 'user',
        name: username,
        apply: () => api.patch<Json>(`/users/${id}`, patch),
        undo: async () => {
          const restore: Json = { ...omit(existing, USER_READ_ONLY) };
          for (const name of Object.keys(claims)) if (!(name in restore)) restore[name] = null;
          await api.patch(`/users/${id}`, restore);
        },
      });
    }
  }

  const issuers = byKey(current.saml_issuers, (i) => i.entity_id);
  for (const wanted of config.saml_issuers) {
    const existing = issuers.get(wanted.entity_id);
    if (existing && !sameJson(existing.certificates, wanted.certificates)) {
      throw new CliError(
        `saml issuer ${wanted.entity_id} exists with other certificates; delete it first (nothing was written)`,
        ExitCode.refused,
      );
    }
    if (!existing) {
      changes.push(
        creation(
          'saml_issuer',
          wanted.entity_id,
          () => api.post<Json>('/saml-issuers', wanted),
          (made) => api.delete(`/saml-issuers/${String(made.id)}`),
        ),
      );
    }
  }

  // Directories before users: a directory user's first sign-in needs its directory, not the
  // other way round, and neither is created through the other.
  const directories = byKey(current.directories, (d) => d.name);
  const missingPasswords: string[] = [];
  for (const wanted of config.directories) {
    const settings = omit(wanted, DIRECTORY_READ_ONLY);
    const name = String(settings.name);
    const existing = directories.get(name);
    if (!existing) {
      if (typeof settings.bind_password !== 'string') {
        missingPasswords.push(name);
        continue;
      }
      changes.push(
        creation(
          'directory',
          name,
          () => api.post<Json>('/directories', settings),
          (made) => api.delete(`/directories/${String(made.id)}`),
        ),
      );
    } else if (!sameJson(omit(existing, DIRECTORY_READ_ONLY), omit(settings, ['bind_password']))) {
      // The server keeps the stored bind password only for the connection it was given for.
      const moved = DIRECTORY_CONNECTION.some(
        (field) => !sameJson(existing[field] ?? null, settings[field] ?? null),
      );
      if (moved && typeof settings.bind_password !== 'string') {
        missingPasswords.push(name);
        continue;
      }
      const id = String(existing.id);
      changes.push({
        action: 'update',
        kind: 'directory',
        name,
        // Without bind_password the server keeps the stored one (and so does the undo).
        apply: () => api.put<Json>(`/directories/${id}`, settings),
        undo: async () => {
          await api.put(`/directories/${id}`, omit(existing, DIRECTORY_READ_ONLY));
        },
      });
    }
  }
  if (missingPasswords.length > 0) {
    throw new CliError(
      `directory ${missingPasswords.join(', ')} needs bind_password in the file, to be created or to change its url, start_tls, bind_dn or ca_certificate (exports never hold it; nothing was written)`,
      ExitCode.refused,
    );
  }

  const keys = byKey(current.api_keys, (k) => k.name);
  for (const wanted of config.api_keys) {
    const existing = keys.get(wanted.name);
    if (existing && !sameJson([...existing.scopes].sort(), [...wanted.scopes].sort())) {
      throw new CliError(
        `API key ${wanted.name} exists with other scopes; delete it first (nothing was written)`,
        ExitCode.refused,
      );
    }
    if (!existing) {
      changes.push(
        creation(
          'api_key',
          wanted.name,
          () => api.post<Json>('/api-keys', wanted),
          (made) => api.delete(`/api-keys/${String(made.id)}`),
        ),
      );
    }
  }
  planGroups(api, config, current, changes);
  return changes;
}

/**
 * Groups missing by name are created and differing ones changed; a user's `groups` in the file
 * that the user lacks become memberships, added after the users and groups exist (ids are
 * looked up when applied, as a new user's id is known only then). Nothing is removed.
 */
function planGroups(
  api: AdminApi,
  config: ConfigurationExport,
  current: ConfigurationExport,
  changes: Change[],
): void {
  const key = (name: string) => name.normalize('NFKC').toUpperCase().toLowerCase();
  const groups = new Map(current.groups.map((g) => [key(g.name), g]));
  const groupId = async (name: string): Promise<string> => {
    const found = (await api.listAll<Json>('/groups')).find(
      (g) => key(String(g.name)) === key(name),
    );
    if (!found) throw new CliError(`no group named ${name}`, ExitCode.refused);
    return String(found.id);
  };
  for (const wanted of config.groups) {
    const body = {
      name: wanted.name,
      description: wanted.description ?? null,
      require_mfa: wanted.require_mfa === true,
    };
    const existing = groups.get(key(wanted.name));
    if (!existing) {
      changes.push(
        creation(
          'group',
          wanted.name,
          () => api.post<Json>('/groups', body),
          (made) => api.delete(`/groups/${String(made.id)}`),
        ),
      );
    } else if (!sameJson({ ...existing, name: wanted.name }, body)) {
      changes.push({
        action: 'update',
        kind: 'group',
        name: wanted.name,
        apply: async () => api.patch<Json>(`/groups/${await groupId(wanted.name)}`, body),
        undo: async () => {
          await api.patch(`/groups/${await groupId(wanted.name)}`, existing);
        },
      });
    }
  }
  const currentUsers = new Map(current.users.map((u) => [String(u.username), u]));
  for (const wanted of config.users) {
    const username = String(wanted.username);
    const has = new Set(
      ((currentUsers.get(username)?.groups as string[] | undefined) ?? []).map(key),
    );
    for (const group of (wanted.groups as string[] | undefined) ?? []) {
      if (has.has(key(group))) continue;
      const member = async () => {
        const { items } = await api.get<{ items: Json[] }>(
          `/users?username=${encodeURIComponent(username)}`,
        );
        return `/groups/${await groupId(group)}/members/${String(items[0]?.id)}`;
      };
      changes.push({
        action: 'create',
        kind: 'membership',
        name: `${group}/${username}`,
        apply: async () => {
          await api.put(await member(), {});
          return { group, username };
        },
        undo: async () => api.delete(await member()),
      });
    }
  }
}

/** A creation, undone by removing what the server made (known only once it answered). */
function creation(
  kind: Change['kind'],
  name: string,
  create: () => Promise<Json>,
  remove: (made: Json) => Promise<void>,
): Change {
  let made: Json | undefined;
  return {
    action: 'create',
    kind,
    name,
    apply: async () => (made = await create()),
    undo: async () => {
      if (made) await remove(made);
    },
  };
}

/**
 * Applies the changes in order; on the first failure undoes, newest first, every change
 * already made, then fails with the server's error (README: what "all-or-nothing" means here).
 */
export async function applyImport(
  changes: Change[],
  progress: (done: number, total: number, change: Change) => void,
): Promise<Array<{ change: Change; result: Json | undefined }>> {
  const done: Array<{ change: Change; result: Json | undefined }> = [];
  for (const change of changes) {
    try {
      done.push({ change, result: await change.apply() });
      progress(done.length, changes.length, change);
    } catch (error) {
      const failures: string[] = [];
      for (const { change: made } of [...done].reverse()) {
        await made.undo?.().catch((undoError: unknown) => {
          failures.push(`${made.kind} ${made.name}: ${String(undoError)}`);
        });
      }
      const reason = error instanceof Error ? error.message : String(error);
      const rollback = failures.length
        ? `; rollback incomplete, left behind: ${failures.join('; ')}`
        : `; rolled back ${done.length} change(s)`;
      throw new CliError(
        `import failed at ${change.action} ${change.kind} ${change.name}: ${reason}${rollback}`,
        ExitCode.refused,
      );
    }
  }
  return done;
}

function validateFile(file: unknown): ConfigurationExport {
  const config = file as Partial<ConfigurationExport> | null;
  if (!config || typeof config !== 'object' || config.format !== 'uas-admin-export') {
    throw new CliError(
      'not a uas-admin export (format must be "uas-admin-export")',
      ExitCode.usage,
    );
  }
  for (const member of [
    'clients',
    'users',
    'saml_issuers',
    'api_keys',
    'directories',
    'groups',
  ] as const) {
    if (config[member] !== undefined && !Array.isArray(config[member]))
      throw new CliError(`${member} must be an array`, ExitCode.usage);
  }
  for (const directory of config.directories ?? [])
    if (typeof directory?.name !== 'string')
      throw new CliError('every directory needs a name', ExitCode.usage);
  for (const user of config.users ?? [])
    if (typeof user?.username !== 'string')
      throw new CliError('every user needs a username', ExitCode.usage);
  for (const group of config.groups ?? [])
    if (typeof group?.name !== 'string')
      throw new CliError('every group needs a name', ExitCode.usage);
  return {
    format: 'uas-admin-export',
    version: 1,
    exported_at: String(config.exported_at ?? ''),
    clients: config.clients ?? [],
    users: config.users ?? [],
    saml_issuers: config.saml_issuers ?? [],
    api_keys: config.api_keys ?? [],
    directories: config.directories ?? [],
    groups: config.groups ?? [],
  };
}

export function omit(object: Json, names: string[]): Json {
  return Object.fromEntries(Object.entries(object).filter(([name]) => !names.includes(name)));
}

/** Equal as JSON, whatever the member order. */
function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Json)[k])]),
    );
  return value;
}
