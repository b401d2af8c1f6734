import { randomBytes, randomUUID } from 'node:crypto';

import {
  AuthorizationCodeRecord,
  AuthorizationCodeRepository,
  Database,
  GrantRepository,
  LoginSessionRepository,
  RefreshTokenRepository,
} from '@app/persistence';

import { adminCreateClient, adminCreateUser } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;

/**
 * RFC 6749 §4.1.2 on PostgreSQL: a code is consumed once, by one statement, even when two
 * instances (two connection pools) redeem it at once, and a used code presented again names the
 * grant whose tokens must be revoked.
 */
describe(AuthorizationCodeRepository.name, () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let clientId: string;
  let otherClientId: string;
  let userId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestServer({ databaseUrl: db.url, masterKey });
    two = await startTestServer({ databaseUrl: db.url, masterKey });
    const metadata = {
      grant_types: ['authorization_code'],
      redirect_uris: ['https://rp.example.org/cb'],
    };
    clientId = (await adminCreateClient(one, metadata)).client_id;
    otherClientId = (await adminCreateClient(one, metadata)).client_id;
    userId = (await adminCreateUser(one, { username: 'ada', password: 'adas long password' })).id;
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  const repositories = () => [
    one.app.get(AuthorizationCodeRepository),
    two.app.get(AuthorizationCodeRepository),
  ];
  const now = () => one.clock.now();

  /** A code issued in a live browser session of the user, as the authorization endpoint does. */
  async function issue(): Promise<AuthorizationCodeRecord> {
    const session = {
      idHash: randomBytes(32),
      sid: randomUUID(),
      userId,
      authTime: now(),
      amr: ['pwd'],
      createdAt: now(),
      expiresAt: new Date(now().getTime() + 3_600_000),
    };
    await one.app.get(LoginSessionRepository).create(session);
    const code: AuthorizationCodeRecord = {
      codeHash: randomBytes(32),
      clientId,
      userId,
      redirectUri: 'https://rp.example.org/cb',
      redirectUriSent: true,
      scope: 'openid',
      nonce: 'n-1',
      codeChallenge: null,
      codeChallengeMethod: null,
      authTime: now(),
      amr: ['pwd'],
      requestedClaims: { userinfo: ['name'], id_token: [] },
      sessionIdHash: session.idHash,
      sid: session.sid,
      createdAt: now(),
      expiresAt: new Date(now().getTime() + 60_000),
    };
    await repositories()[0].create(code);
    return code;
  }

  it('consumes a code once and records the grant its tokens will belong to', async () => {
    const [sut] = repositories();
    const { sessionIdHash: _session, ...code } = await issue();
    const grantId = randomUUID();

    expect(await sut.consume(code.codeHash, clientId, grantId, now())).toEqual({
      ...code,
      grantId,
    });
    expect(await sut.consume(code.codeHash, clientId, randomUUID(), now())).toBeNull();
  });

  it.each([
    ['another client', () => otherClientId, 0],
    ['an expired code', () => clientId, 61_000],
  ])('refuses %s and leaves the code unused', async (_case, client, elapsedMs) => {
    const [sut] = repositories();
    const code = await issue();

    expect(
      await sut.consume(
        code.codeHash,
        client(),
        randomUUID(),
        new Date(now().getTime() + elapsedMs),
      ),
    ).toBeNull();
    expect(await sut.markReplayed(code.codeHash, clientId, now())).toBeNull();
    expect(await sut.consume(code.codeHash, clientId, randomUUID(), now())).not.toBeNull();
  });

  it('refuses a code whose browser session has ended, and leaves it unused', async () => {
    const [sut] = repositories();
    const code = await issue();
    const database = one.app.get(Database);
    await database.transaction((tx) =>
      one.app.get(LoginSessionRepository).delete(code.sessionIdHash, tx),
    );

    expect(await sut.consume(code.codeHash, clientId, randomUUID(), now())).toBeNull();
    expect(await sut.markReplayed(code.codeHash, clientId, now())).toBeNull();
  });

  it('says whether the grant of a redeemed code still stands: live session, same token generation', async () => {
    const [sut] = repositories();
    const database = one.app.get(Database);
    const generationOf = async (id: string) =>
      (
        await database.query<{ g: number }>(
          'SELECT token_generation AS g FROM clients WHERE client_id = $1',
          [id],
        )
      )[0].g;
    const live = await issue();
    const ended = await issue();
    await database.transaction((tx) =>
      one.app.get(LoginSessionRepository).delete(ended.sessionIdHash, tx),
    );
    const generation = await generationOf(clientId);

    expect(await sut.grantStillStands(clientId, generation, live.sid, now())).toBe(true);
    expect(await sut.grantStillStands(clientId, generation, null, now())).toBe(true);
    expect(await sut.grantStillStands(clientId, generation, ended.sid, now())).toBe(false);
    // A revoke-all of the client (a new token generation) since the tokens were minted.
    expect(await sut.grantStillStands(clientId, generation - 1, live.sid, now())).toBe(false);
    // The session's expiry counts as its end.
    expect(
      await sut.grantStillStands(
        clientId,
        generation,
        live.sid,
        new Date(now().getTime() + 3_600_001),
      ),
    ).toBe(false);
  });

  it('lets exactly one of two instances redeeming the same code at once win', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const code = await issue();
      const grantIds = [randomUUID(), randomUUID()];

      const results = await Promise.all(
        repositories().map((sut, i) => sut.consume(code.codeHash, clientId, grantIds[i], now())),
      );

      const won = results.filter((r) => r !== null);
      expect(won).toHaveLength(1);
      // The loser's presentation is a replay: it finds the winner's grant, to revoke it.
      const loser = repositories()[results.findIndex((r) => r === null)];
      expect(await loser.markReplayed(code.codeHash, clientId, now())).toEqual({
        grantId: won[0].grantId,
      });
      expect(await loser.isReplayed(code.codeHash)).toBe(true);
    }
  });

  it("finds a replayed code's grant, whose revocation ends the tokens issued from it", async () => {
    const [sut] = repositories();
    const code = await issue();
    const consumed = (await sut.consume(code.codeHash, clientId, randomUUID(), now()))!;
    const grant = {
      id: consumed.grantId,
      clientId,
      userId,
      subject: userId,
      scope: 'openid',
      authTime: now(),
      amr: ['pwd'],
      claims: {},
      requestedClaims: consumed.requestedClaims,
    };
    const refreshHash = randomBytes(32);
    const refreshTokens = one.app.get(RefreshTokenRepository);
    await refreshTokens.createWithGrant(grant, {
      tokenHash: refreshHash,
      scope: 'openid',
      createdAt: now(),
      expiresAt: new Date(now().getTime() + 3600_000),
    });
    expect(await sut.isReplayed(code.codeHash)).toBe(false);

    const replayed = await sut.markReplayed(code.codeHash, clientId, now());
    await one.app.get(GrantRepository).revoke(replayed!.grantId!, now());

    expect(replayed).toEqual({ grantId: grant.id });
    expect(await sut.isReplayed(code.codeHash)).toBe(true);
    expect(await refreshTokens.findActive(refreshHash, now())).toBeNull();
    expect(await one.app.get(GrantRepository).findActive(grant.id)).toBeNull();
  });

  it("marks no replay for another client's presentation of a used code", async () => {
    const [sut] = repositories();
    const code = await issue();
    await sut.consume(code.codeHash, clientId, randomUUID(), now());

    expect(await sut.markReplayed(code.codeHash, otherClientId, now())).toBeNull();
    expect(await sut.isReplayed(code.codeHash)).toBe(false);
  });
});
