import { randomBytes, randomUUID } from 'node:crypto';

import { Database, OtpChallengeRepository } from '@app/persistence';

import { adminCreateClient } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;
const SMS = 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp';
const SMTP = 'http://globalsign.com/iam/sso/oauth2/grant-type/smtp-otp';

/** CONTRACT: a new OTP initiation for a username invalidates its earlier reference, on every instance. */
describe(OtpChallengeRepository.name, () => {
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let database: Database;
  let clientId: string;
  let otherClientId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const masterKey = newMasterKey();
    const env = { SMS_GATEWAY_URL: 'http://127.0.0.1:9/send?to={mobile}&text={challenge}' };
    one = await startTestServer({ databaseUrl: db.url, masterKey, env });
    two = await startTestServer({ databaseUrl: db.url, masterKey, env });
    database = one.app.get(Database);
    clientId = (await adminCreateClient(one, { grant_types: [SMS] })).client_id;
    otherClientId = (await adminCreateClient(one, { grant_types: [SMS] })).client_id;
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  function challenge(username: string, usernameKey: string) {
    const now = one.clock.now();
    return {
      id: randomUUID(),
      referenceHash: randomBytes(32),
      clientId,
      grantType: SMS,
      username,
      usernameKey,
      codeHash: randomBytes(32),
      createdAt: now,
      expiresAt: new Date(now.getTime() + 300_000),
    };
  }

  it('leaves one open challenge per recipient when initiations race on two instances', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `35840${String(round).padStart(7, '0')}`;

      await Promise.all([
        one.app.get(OtpChallengeRepository).create(challenge(`+${key}`, key)),
        two.app.get(OtpChallengeRepository).create(challenge(key, key)),
      ]);

      const open = await database.query(
        'SELECT id FROM otp_challenges WHERE username_key = $1 AND consumed_at IS NULL',
        [key],
      );
      expect(open).toHaveLength(1);
    }
  });

  it('lets exactly one of two instances validating the same reference at once consume it', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const key = `35850${String(round).padStart(7, '0')}`;
      const created = challenge(`+${key}`, key);
      await one.app.get(OtpChallengeRepository).create(created);

      const results = await Promise.all(
        [one, two].map((server) =>
          server.app
            .get(OtpChallengeRepository)
            .consume(created.referenceHash, clientId, SMS, one.clock.now()),
        ),
      );

      expect(results.filter((r) => r !== null)).toEqual([created]);
    }
  });

  it.each([
    ['another client', () => otherClientId, SMS, 0],
    ['another grant type', () => clientId, SMTP, 0],
    ['an expired challenge', () => clientId, SMS, 300_000],
  ])('refuses %s and leaves the challenge open', async (_case, client, grantType, elapsedMs) => {
    const sut = one.app.get(OtpChallengeRepository);
    const created = challenge('+358501111111', `358501111111-${grantType.length}-${elapsedMs}`);
    await sut.create(created);

    expect(
      await sut.consume(
        created.referenceHash,
        client(),
        grantType,
        new Date(one.clock.now().getTime() + elapsedMs),
      ),
    ).toBeNull();
    expect(await sut.consume(created.referenceHash, clientId, SMS, one.clock.now())).toEqual(
      created,
    );
  });
});
