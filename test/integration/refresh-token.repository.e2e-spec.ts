import { randomBytes, randomUUID } from 'node:crypto';

import { Database, GrantRecord, GrantRepository, RefreshTokenRepository } from '@app/persistence';

import { adminCreateClient } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;
const HOUR_MS = 3600_000;

/**
 * RFC 9700 §4.14.2 refresh token rotation on PostgreSQL: one statement consumes the presented
 * token and stores its successor, and of two instances (two connection pools) presenting the
 * same token at once exactly one wins; the loser's presentation is a replay that revokes the grant.
 */
describe(RefreshTokenRepository.name, () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let database: Database;
  let clientId: string;
  let otherClientId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestServer({ databaseUrl: db.url, masterKey });
    two = await startTestServer({ databaseUrl: db.url, masterKey });
    database = one.app.get(Database);
    clientId = (
      await adminCreateClient(one, { grant_types: ['client_credentials', 'refresh_token'] })
    ).client_id;
    otherClientId = (
      await adminCreateClient(one, { grant_types: ['client_credentials', 'refresh_token'] })
    ).client_id;
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  const repositories = () => [
    one.app.get(RefreshTokenRepository),
    two.app.get(RefreshTokenRepository),
  ];
  const now = () => one.clock.now();
  const successor = () => ({
    tokenHash: randomBytes(32),
    expiresAt: new Date(now().getTime() + HOUR_MS),
  });

  /** A grant with its first refresh token; returns the token's hash and the grant. */
  async function issue(
    scope = 'openid profile',
  ): Promise<{ tokenHash: Buffer; grant: GrantRecord }> {
    const grant: GrantRecord = {
      id: randomUUID(),
      clientId,
      userId: null,
      subject: `sub-${randomUUID()}`,
      scope,
      authTime: now(),
      amr: ['pwd'],
      claims: { email: 'x@example.com' },
      requestedClaims: { userinfo: [], id_token: ['email'] },
      sessionId: null,
    };
    const tokenHash = randomBytes(32);
    await repositories()[0].createWithGrant(grant, {
      tokenHash,
      scope,
      createdAt: now(),
      expiresAt: new Date(now().getTime() + HOUR_MS),
    });
    return { tokenHash, grant };
  }

  const countTokens = async (grantId: string) =>
    (
      await database.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM refresh_tokens WHERE grant_id = $1',
        [grantId],
      )
    )[0].n;

  it('rotates in one statement: the presented token is spent, its successor carries the same grant and scope', async () => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue('openid email');
    const next = successor();

    const rotated = await sut.rotate(tokenHash, clientId, now(), next);

    expect(rotated).toEqual({ grant, scope: 'openid email' });
    expect(await sut.findActive(tokenHash, now())).toBeNull();
    expect(await sut.findActive(next.tokenHash, now())).toEqual({
      grantId: grant.id,
      clientId,
      scope: 'openid email',
      subject: grant.subject,
      createdAt: now(),
      expiresAt: next.expiresAt,
    });
  });

  it.each([
    ['another client', () => otherClientId, 0],
    ['an expired token', () => clientId, 2 * HOUR_MS],
  ])('refuses %s and stores no successor', async (_case, client, elapsedMs) => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue();

    const rotated = await sut.rotate(
      tokenHash,
      client(),
      new Date(now().getTime() + elapsedMs),
      successor(),
    );

    expect(rotated).toBeNull();
    expect(await countTokens(grant.id)).toBe(1);
    expect(await sut.findActive(tokenHash, now())).not.toBeNull();
  });

  it('refuses a token whose grant was revoked', async () => {
    const [sut] = repositories();
    const { tokenHash, grant } = await issue();
    await one.app.get(GrantRepository).revoke(grant.id, now());

    expect(await sut.rotate(tokenHash, clientId, now(), successor())).toBeNull();
    expect(await countTokens(grant.id)).toBe(1);
  });

  it('lets exactly one of two instances rotating the same token at once win; the loser revokes the family', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { tokenHash, grant } = await issue();
      const nexts = [successor(), successor()];

      const results = await Promise.all(
        repositories().map((sut, i) => sut.rotate(tokenHash, clientId, now(), nexts[i])),
      );

      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await countTokens(grant.id)).toBe(2);
      const winningNext = nexts[results.findIndex((r) => r !== null)];
      // The loser presented a spent token: a replay (RFC 9700 §4.14.2), which ends the grant.
      const loser = repositories()[results.findIndex((r) => r === null)];
      expect(await loser.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(true);
      expect(await loser.findActive(winningNext.tokenHash, now())).toBeNull();
      expect(await loser.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(false);
    }
  });

  it('marks no replay for a token never spent, or spent by another client', async () => {
    const [sut] = repositories();
    const { tokenHash } = await issue();

    expect(await sut.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(false);
    await sut.rotate(tokenHash, clientId, now(), successor());
    expect(await sut.revokeGrantOfUsedToken(tokenHash, otherClientId, now())).toBe(false);
    expect(await sut.revokeGrantOfUsedToken(tokenHash, clientId, now())).toBe(true);
  });

  it('lets exactly one of two instances consuming the same token in a transaction win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { tokenHash, grant } = await issue('openid profile');

      const results = await Promise.all(
        [one, two].map((server) =>
          server.app.get(Database).transaction(async (tx) => {
            const consumed = await server.app
              .get(RefreshTokenRepository)
              .consume(tokenHash, clientId, now(), tx);
            if (consumed) {
              await server.app.get(RefreshTokenRepository).create(
                {
                  tokenHash: randomBytes(32),
                  grantId: grant.id,
                  clientId,
                  scope: consumed.scope,
                  createdAt: now(),
                  expiresAt: new Date(now().getTime() + HOUR_MS),
                },
                tx,
              );
            }
            return consumed;
          }),
        ),
      );

      expect(results.filter((r) => r !== null)).toEqual([{ grant, scope: 'openid profile' }]);
      expect(await countTokens(grant.id)).toBe(2);
    }
  });

  it('rolls the consumption back with the transaction that failed after it', async () => {
    const { tokenHash } = await issue();
    const [sut] = repositories();

    await expect(
      database.transaction(async (tx) => {
        expect(await sut.consume(tokenHash, clientId, now(), tx)).not.toBeNull();
        throw new Error('invalid_scope after the consumption');
      }),
    ).rejects.toThrow('invalid_scope after the consumption');

    expect(await sut.findActive(tokenHash, now())).not.toBeNull();
  });
});
