import { randomBytes, randomUUID } from 'node:crypto';

import { Database, OtpChallengeRepository } from '@app/persistence';

import { adminCreateClient } from '../setup/oauth';
import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../setup/test-server';

const ROUNDS = 20;
const SMS = 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp';

/** CONTRACT: a new OTP initiation for a username invalidates its earlier reference, on every instance. */
describe(OtpChallengeRepository.name, () => {
  let db: TestDatabase;
  let one: TestServer;
  let two: TestServer;
  let database: Database;
  let clientId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const masterKey = newMasterKey();
    const env = { SMS_GATEWAY_URL: 'http://127.0.0.1:9/send?to={mobile}&text={challenge}' };
    one = await startTestServer({ databaseUrl: db.url, masterKey, env });
    two = await startTestServer({ databaseUrl: db.url, masterKey, env });
    database = one.app.get(Database);
    clientId = (await adminCreateClient(one, { grant_types: [SMS] })).client_id;
  });

  afterAll(async () => {
    await one?.close();
    await two?.close();
    await db?.drop();
  });

  function challenge(username: string, usernameKey: string) {
    const now = one.clock.now();
    return {
      id: randomUUID(), referenceHash: randomBytes(32), clientId, grantType: SMS, username, usernameKey,
      codeHash: randomBytes(32), createdAt: now, expiresAt: new Date(now.getTime() + 300_000),
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
});
