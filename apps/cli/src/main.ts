import { readFileSync } from 'node:fs';

import { Command, CommanderError, Option } from 'commander';

import { AdminApi, CliError, ExitCode } from './admin-api';
import {
  applyImport,
  CLIENT_READ_ONLY,
  exportConfiguration,
  omit,
  planImport,
} from './configuration';

type Json = Record<string, unknown>;

/** The form of the ids the server mints; anything else is taken as a name. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface GlobalOptions {
  url?: string;
  token?: string;
  json?: boolean;
}

/** `uas-admin`: the admin API from a shell (CONTRACT §5). Talks HTTP only, never to the database. */
export function buildProgram(): Command {
  const program = new Command('uas-admin')
    .description('Administer a uas-idp server over its admin API.')
    .addOption(
      new Option('--url <url>', "the server's origin, e.g. http://localhost:8080").env(
        'UAS_ADMIN_URL',
      ),
    )
    .addOption(new Option('--token <token>', 'ADMIN_TOKEN or an API key').env('UAS_ADMIN_TOKEN'))
    .option('--json', 'machine-readable JSON on stdout')
    .showHelpAfterError()
    .exitOverride();

  const api = (): AdminApi => {
    const { url, token } = program.opts<GlobalOptions>();
    if (!url) throw new CliError('no server: give --url or set UAS_ADMIN_URL', ExitCode.usage);
    if (!token) throw new CliError('no token: give --token or set UAS_ADMIN_TOKEN', ExitCode.usage);
    return new AdminApi(url, token);
  };
  const json = () => program.opts<GlobalOptions>().json === true;
  const print = (value: unknown, human: () => string): void => {
    process.stdout.write(`${json() ? JSON.stringify(value, null, 2) : human()}\n`);
  };
  const show = (value: unknown) => print(value, () => JSON.stringify(value, null, 2));
  const table = (items: Json[], columns: string[]) =>
    print({ items }, () =>
      items.map((item) => columns.map((c) => text(item[c])).join('\t')).join('\n'),
    );
  const done = (what: string) => print({ ok: true }, () => what);

  const clients = program.command('clients').description('OAuth clients');
  clients
    .command('list')
    .action(async () => table(await api().listAll('/clients'), ['client_id', 'client_name']));
  clients
    .command('get <client_id>')
    .action(async (id: string) => show(await api().get(`/clients/${encodeURIComponent(id)}`)));
  clientMetadataOptions(
    clients
      .command('create')
      .description('register a client; prints its client_secret, shown only now'),
    'client metadata as JSON, @FILE, or - for stdin',
  ).action(async (o: ClientMetadataOptions) =>
    show(await api().post('/clients', clientMetadata(o))),
  );
  clientMetadataOptions(
    clients
      .command('update <client_id>')
      .description(
        "replace the client's metadata: members not given take their defaults, so start from clients get --json; a client_secret is printed only when the change issues one",
      ),
    'the whole client metadata as JSON, @FILE, or - for stdin; client_id and the other members the server assigns are ignored',
  ).action(async (id: string, o: ClientMetadataOptions) =>
    show(
      await api().put(
        `/clients/${encodeURIComponent(id)}`,
        omit(clientMetadata(o), CLIENT_READ_ONLY),
      ),
    ),
  );
  clients.command('delete <client_id>').action(async (id: string) => {
    await api().delete(`/clients/${encodeURIComponent(id)}`);
    done(`deleted client ${id}`);
  });
  clients
    .command('rotate-secret <client_id>')
    .description('new client_secret (the old one stops working); shown only now')
    .action(async (id: string) =>
      show(await api().post(`/clients/${encodeURIComponent(id)}/secret`)),
    );

  clients
    .command('revoke-tokens <client_id>')
    .description('every token issued to the client so far stops working; the client stays')
    .action(async (id: string) => {
      await api().post(`/clients/${encodeURIComponent(id)}/revoke-tokens`);
      done(`revoked every token of client ${id}`);
    });

  const users = program.command('users').description('users');
  /** A user by id, or by username. */
  const userId = async (admin: AdminApi, user: string): Promise<string> => {
    if (UUID.test(user)) return user;
    const { items } = await admin.get<{ items: Json[] }>(
      `/users?username=${encodeURIComponent(user)}`,
    );
    if (!items[0]) throw new CliError(`no user named ${user}`, ExitCode.refused);
    return String(items[0].id);
  };
  users
    .command('list')
    .option('--username <username>', 'find one user by username')
    .action(async (o: { username?: string }) =>
      table(
        o.username
          ? (
              await api().get<{ items: Json[] }>(
                `/users?username=${encodeURIComponent(o.username)}`,
              )
            ).items
          : await api().listAll('/users'),
        ['id', 'username'],
      ),
    );
  users
    .command('get <id>')
    .action(async (id: string) => show(await api().get(`/users/${encodeURIComponent(id)}`)));
  users
    .command('create')
    .requiredOption('--username <username>')
    .requiredOption('--password <password>')
    .option('--data <json>', 'claims as JSON, @FILE, or - for stdin')
    .action(async (o: UserOptions) => show(await api().post('/users', userFields(o))));
  users
    .command('update <user>')
    .description('by id or username; changes only what is given, and never shows the password')
    .option('--username <username>', 'a new username')
    .option('--password <password>', "a new password; ends the user's sessions")
    .option('--data <json>', 'claims as JSON, @FILE, or - for stdin; null removes a claim')
    .action(async (user: string, o: UserOptions) => {
      // The body first: a usage error in it sends nothing, not even the username's lookup.
      const body = userFields(o);
      const admin = api();
      show(await admin.patch(`/users/${await userId(admin, user)}`, body));
    });
  users.command('delete <id>').action(async (id: string) => {
    await api().delete(`/users/${encodeURIComponent(id)}`);
    done(`deleted user ${id}`);
  });

  users
    .command('import <file>')
    .description(
      'import users with their password hashes (argon2, bcrypt, pbkdf2-sha256) from a JSON file (- for stdin): {"users": [...]} or an array; all or nothing',
    )
    .option('--dry-run', 'check everything, write nothing')
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const parsed = readJsonValue(file === '-' ? '-' : `@${file}`);
      const list: unknown = Array.isArray(parsed) ? parsed : (parsed as Json).users;
      if (!Array.isArray(list))
        throw new CliError('the file must hold {"users": [...]} or an array', ExitCode.usage);
      const answer = await api().post<{ results: Json[] }>('/users/import', {
        users: list,
        dry_run: o.dryRun === true,
      });
      table(answer.results, ['username', 'status']);
    });

  const groups = program.command('groups').description('groups of users');
  /** A group by id, or by name in any letter case. */
  const groupId = async (admin: AdminApi, group: string): Promise<string> => {
    if (UUID.test(group)) return group;
    const wanted = group.normalize('NFKC').toLowerCase();
    const found = (await admin.listAll<Json>('/groups')).find(
      (g) => String(g.name).normalize('NFKC').toLowerCase() === wanted,
    );
    if (!found) throw new CliError(`no group named ${group}`, ExitCode.refused);
    return String(found.id);
  };
  groups
    .command('list')
    .action(async () =>
      table(await api().listAll('/groups'), ['id', 'name', 'require_mfa', 'description']),
    );
  groups
    .command('get <group>')
    .description('by id or name')
    .action(async (group: string) => {
      const admin = api();
      show(await admin.get(`/groups/${await groupId(admin, group)}`));
    });
  groups
    .command('create')
    .requiredOption('--name <name>')
    .option('--description <text>')
    .option('--require-mfa', 'members are asked for a second factor')
    .action(async (o: { name: string; description?: string; requireMfa?: boolean }) =>
      show(
        await api().post('/groups', {
          name: o.name,
          ...(o.description !== undefined ? { description: o.description } : {}),
          ...(o.requireMfa ? { require_mfa: true } : {}),
        }),
      ),
    );
  groups
    .command('update <group>')
    .description('by id or name')
    .option('--name <name>')
    .option('--description <text>', 'an empty text removes it')
    .option('--require-mfa <bool>', 'true or false')
    .action(
      async (group: string, o: { name?: string; description?: string; requireMfa?: string }) => {
        if (o.requireMfa !== undefined && !['true', 'false'].includes(o.requireMfa))
          throw new CliError('--require-mfa must be true or false', ExitCode.usage);
        const admin = api();
        show(
          await admin.patch(`/groups/${await groupId(admin, group)}`, {
            ...(o.name !== undefined ? { name: o.name } : {}),
            ...(o.description !== undefined ? { description: o.description || null } : {}),
            ...(o.requireMfa !== undefined ? { require_mfa: o.requireMfa === 'true' } : {}),
          }),
        );
      },
    );
  groups
    .command('delete <group>')
    .description('by id or name')
    .action(async (group: string) => {
      const admin = api();
      await admin.delete(`/groups/${await groupId(admin, group)}`);
      done(`deleted group ${group}`);
    });
  groups
    .command('add-member <group> <user>')
    .description('group by id or name, user by id or username')
    .action(async (group: string, user: string) => {
      const admin = api();
      const [g, u] = await Promise.all([groupId(admin, group), userId(admin, user)]);
      await admin.put(`/groups/${g}/members/${u}`, {});
      done(`added ${user} to ${group}`);
    });
  groups
    .command('remove-member <group> <user>')
    .description('group by id or name, user by id or username')
    .action(async (group: string, user: string) => {
      const admin = api();
      const [g, u] = await Promise.all([groupId(admin, group), userId(admin, user)]);
      await admin.delete(`/groups/${g}/members/${u}`);
      done(`removed ${user} from ${group}`);
    });

  const keys = program.command('keys').description("the server's signing keys");
  keys
    .command('list')
    .action(async () =>
      table((await api().get<{ items: Json[] }>('/keys')).items, ['kid', 'alg', 'status']),
    );
  keys
    .command('rotate')
    .option('--activate-in <seconds>', 'signing starts after this many seconds (0: at once)')
    .action(async (o: { activateIn?: string }) =>
      show(
        await api().post(
          '/keys/rotate',
          o.activateIn === undefined ? {} : { activate_in_seconds: Number(o.activateIn) },
        ),
      ),
    );

  const apiKeys = program.command('api-keys').description('admin API keys (ADMIN_TOKEN only)');
  apiKeys.command('list').action(async () =>
    table(
      (await api().get<{ items: Json[] }>('/api-keys')).items.map((k) => ({
        ...k,
        scopes: (k.scopes as string[]).join(','),
      })),
      ['id', 'name', 'scopes'],
    ),
  );
  apiKeys
    .command('create')
    .description('prints the key, shown only now')
    .requiredOption('--name <name>')
    .requiredOption(
      '--scope <scope...>',
      'admin:read, clients:write, users:write, groups:write, keys:write, …',
    )
    .action(async (o: { name: string; scope: string[] }) =>
      show(await api().post('/api-keys', { name: o.name, scopes: o.scope })),
    );
  apiKeys.command('delete <id>').action(async (id: string) => {
    await api().delete(`/api-keys/${encodeURIComponent(id)}`);
    done(`deleted API key ${id}`);
  });

  const issuers = program.command('saml-issuers').description('trusted SAML issuers');
  issuers
    .command('list')
    .action(async () =>
      table((await api().get<{ items: Json[] }>('/saml-issuers')).items, ['id', 'entity_id']),
    );
  issuers
    .command('create')
    .requiredOption('--entity-id <entity_id>')
    .requiredOption('--certificate <pem-file...>', 'PEM certificate file(s)')
    .action(async (o: { entityId: string; certificate: string[] }) =>
      show(
        await api().post('/saml-issuers', {
          entity_id: o.entityId,
          certificates: o.certificate.map((file) => readInput(file)),
        }),
      ),
    );
  issuers.command('delete <id>').action(async (id: string) => {
    await api().delete(`/saml-issuers/${encodeURIComponent(id)}`);
    done(`deleted SAML issuer ${id}`);
  });

  const directories = program
    .command('directories')
    .description('LDAP and Active Directory directories users sign in with');
  directories
    .command('list')
    .action(async () =>
      table((await api().get<{ items: Json[] }>('/directories')).items, ['id', 'name', 'url']),
    );
  directories
    .command('get <id>')
    .action(async (id: string) => show(await api().get(`/directories/${encodeURIComponent(id)}`)));
  directories
    .command('create')
    .description('the settings as JSON (see README, "Connect your directory")')
    .requiredOption('--data <json>', 'the directory as JSON, @FILE, or - for stdin')
    .action(async (o: { data: string }) =>
      show(await api().post('/directories', readJsonArgument(o.data))),
    );
  directories
    .command('update <id>')
    .description('replace the settings; without bind_password the stored one is kept')
    .requiredOption('--data <json>', 'the directory as JSON, @FILE, or - for stdin')
    .action(async (id: string, o: { data: string }) =>
      show(await api().put(`/directories/${encodeURIComponent(id)}`, readJsonArgument(o.data))),
    );
  directories.command('delete <id>').action(async (id: string) => {
    await api().delete(`/directories/${encodeURIComponent(id)}`);
    done(`deleted directory ${id}`);
  });

  program
    .command('audit')
    .description('search audit events, newest first')
    .option('--type <type>', 'event type, e.g. signin or client.created')
    .option('--subject <subject>', 'the user, client or key the event is about')
    .option('--client-id <client_id>', 'the client the event concerns')
    .option('--since <time>', 'RFC 3339 time, e.g. 2026-12-01T00:00:00Z')
    .option('--limit <n>', 'at most this many events (default 50)', '50')
    .action(
      async (o: {
        type?: string;
        subject?: string;
        clientId?: string;
        since?: string;
        limit: string;
      }) => {
        const limit = Number(o.limit);
        if (!Number.isInteger(limit) || limit < 1)
          throw new CliError('--limit must be a positive integer', ExitCode.usage);
        const query = new URLSearchParams();
        if (o.type) query.set('type', o.type);
        if (o.subject) query.set('subject', o.subject);
        if (o.clientId) query.set('client_id', o.clientId);
        if (o.since) query.set('since', o.since);
        const items: Json[] = [];
        let cursor: string | null = null;
        do {
          const page = new URLSearchParams(query);
          page.set('limit', String(Math.min(200, limit - items.length)));
          if (cursor) page.set('cursor', cursor);
          const answer: { items: Json[]; next_cursor: string | null } = await api().get(
            `/audit-events?${page.toString()}`,
          );
          items.push(...answer.items);
          cursor = answer.next_cursor;
        } while (cursor && items.length < limit);
        table(items, ['time', 'type', 'outcome', 'actor', 'subject', 'client_id', 'ip']);
      },
    );

  program
    .command('export')
    .description('the whole configuration as JSON on stdout; no secret in clear')
    .action(async () => {
      process.stdout.write(`${JSON.stringify(await exportConfiguration(api()), null, 2)}\n`);
    });

  program
    .command('import <file>')
    .description('apply an export (- for stdin): all of it, or none of it')
    .option('--dry-run', 'print what would change and write nothing')
    .action(async (file: string, o: { dryRun?: boolean }) => {
      const client = api();
      const changes = await planImport(client, readJsonArgument(file === '-' ? '-' : `@${file}`));
      const summary = changes.map(({ action, kind, name }) => ({ action, kind, name }));
      if (o.dryRun) {
        print({ dry_run: true, changes: summary }, () =>
          changes.length
            ? changes.map((c) => `would ${c.action} ${c.kind} ${c.name}`).join('\n')
            : 'nothing to change',
        );
        return;
      }
      const applied = await applyImport(changes, (n, total, c) => {
        // Progress on stderr, so stdout stays the result a script reads.
        if (!json()) process.stderr.write(`[${n}/${total}] ${c.action} ${c.kind} ${c.name}\n`);
      });
      print(
        {
          dry_run: false,
          changes: applied.map(({ change, result }) => ({
            action: change.action,
            kind: change.kind,
            name: change.name,
            ...(change.action === 'create' ? { result } : {}),
          })),
        },
        () =>
          [
            `applied ${applied.length} change(s)`,
            ...applied
              .filter(({ change }) => change.action === 'create')
              .map(({ change, result }) => createdLine(change.kind, result ?? {})),
          ].join('\n'),
      );
    });

  return program;
}

/** What a script or person needs from a creation: new identifiers and secrets shown once. */
function createdLine(kind: string, result: Json): string {
  if (kind === 'client') {
    const secret = result.client_secret ? ` client_secret ${text(result.client_secret)}` : '';
    return `client ${text(result.client_name)}: client_id ${text(result.client_id)} (was ${text(result.from_client_id)})${secret}`;
  }
  if (kind === 'user')
    return `user ${text(result.username)}: id ${text(result.id)}, no usable password until one is set`;
  if (kind === 'api_key') return `API key ${text(result.name)}: ${text(result.key)}`;
  if (kind === 'directory') return `directory ${text(result.name)}: id ${text(result.id)}`;
  if (kind === 'group') return `group ${text(result.name)}: id ${text(result.id)}`;
  if (kind === 'membership') return `${text(result.username)} joined ${text(result.group)}`;
  return `${kind} ${text(result.entity_id ?? result.id)}`;
}

interface ClientMetadataOptions {
  data?: string;
  name?: string;
  redirectUri?: string[];
  grantType?: string[];
}

/** The options of `clients create` and `clients update`: --data, and flags for common members. */
function clientMetadataOptions(command: Command, dataHelp: string): Command {
  return command
    .option('--data <json>', dataHelp)
    .option('--name <client_name>')
    .option('--redirect-uri <uri...>')
    .option('--grant-type <type...>');
}

/** Client metadata from --data, with the members the flags give taking precedence. */
function clientMetadata(o: ClientMetadataOptions): Json {
  return {
    ...(o.data ? readJsonArgument(o.data) : {}),
    ...(o.name ? { client_name: o.name } : {}),
    ...(o.redirectUri ? { redirect_uris: o.redirectUri } : {}),
    ...(o.grantType ? { grant_types: o.grantType } : {}),
  };
}

interface UserOptions {
  username?: string;
  password?: string;
  data?: string;
}

/** The body of `users create` and `users update`: --data, with --username and --password taking precedence. */
function userFields(o: UserOptions): Json {
  return {
    ...(o.data ? readJsonArgument(o.data) : {}),
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
  };
}

/** A value for one line of human output. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '-';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `@FILE`, `-` (stdin) or an inline JSON object. */
function readJsonArgument(value: string): Json {
  return readJsonValue(value) as Json;
}

/** `@FILE`, `-` (stdin) or inline JSON, any JSON value. */
function readJsonValue(value: string): unknown {
  const text = value === '-' || value.startsWith('@') ? readInput(value.replace(/^@/, '')) : value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Never the inline text itself: it may hold a password or a bind password.
    const source = value === '-' ? 'stdin' : value.startsWith('@') ? value : 'the inline value';
    throw new CliError(`not valid JSON: ${source}`, ExitCode.usage);
  }
}

function readInput(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`, ExitCode.usage);
  }
}

/** Runs the CLI; resolves to the exit code (0 only on success). */
export async function run(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`uas-admin: ${message}\n`);
    return error instanceof CliError ? error.exitCode : ExitCode.refused;
  }
}
