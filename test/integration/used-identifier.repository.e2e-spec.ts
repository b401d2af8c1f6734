import { randomUUID } from 'node:crypto';

import { UsedIdentifierRepository } from '@app/persistence';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;

/** RFC 7523 §3 / RFC 7522 §3: a jti or assertion ID is accepted once across every instance. */
describe(UsedIdentifierRepository.name, () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    one = await startTestServer({ databaseUrl: db.url, masterKey });
    two = await startTestServer({ databaseUrl: db.url, masterKey });
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  const repositories = () => [
    one.app.get(UsedIdentifierRepository),
    two.app.get(UsedIdentifierRepository),
  ];
  const now = () => one.clock.now();
  const later = (ms: number) => new Date(now().getTime() + ms);

  it('gives exactly one of two instances claiming the same identifier at once the claim', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const jti = randomUUID();

      const results = await Promise.all(
        repositories().map((sut) => sut.claim('saml_assertion', jti, later(60_000), now())),
      );

      expect(results.sort()).toEqual([false, true]);
    }
  });

  it('refuses a claim while the entry lives, allows one after it expired, again to one racer only', async () => {
    const [sut] = repositories();
    const jti = randomUUID();
    expect(await sut.claim('saml_assertion', jti, later(60_000), now())).toBe(true);

    expect(await sut.claim('saml_assertion', jti, later(120_000), later(59_000))).toBe(false);
    const racing = await Promise.all(
      repositories().map((r) => r.claim('saml_assertion', jti, later(180_000), later(60_000))),
    );
    expect(racing.sort()).toEqual([false, true]);
  });

  it('keeps namespaces apart, and one record per client for its assertions and request objects', async () => {
    const [sut, other] = repositories();
    const jti = randomUUID();
    const clientId = randomUUID();

    expect(await sut.claimClientJwtId(clientId, jti, later(60_000), now())).toBe(true);
    expect(await other.claimClientJwtId(clientId, jti, later(60_000), now())).toBe(false);
    expect(await other.claimClientJwtId(randomUUID(), jti, later(60_000), now())).toBe(true);
    expect(await other.claim('saml_assertion', jti, later(60_000), now())).toBe(true);
  });
});
