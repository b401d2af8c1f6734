import { ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { jwtVerify } from 'jose';
import { SMTPServer } from 'smtp-server';
import request from 'supertest';

import {
  encodeAssertion,
  makeSamlIssuer,
  makeSignedAssertion,
  SamlTestIssuer,
} from '../../factories/saml-assertion.factory';
import { LogCapture } from '../../setup/log-capture';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { LoopbackSmsGateway, otpIn } from '../../setup/loopback-sms-gateway';
import { admin, adminCreateClient, basic, postForm, serverKeySet } from '../../setup/oauth';
import {
  freePort,
  newMasterKey,
  startTestServer,
  TEST_ADMIN_TOKEN,
  TestServer,
} from '../../setup/test-server';

const SMS = 'http://globalsign.com/iam/sso/oauth2/grant-type/sms-mt-otp';
const SMTP = 'http://globalsign.com/iam/sso/oauth2/grant-type/smtp-otp';
const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
const OTP_TTL_SECONDS = 300;

/** A mail the loopback SMTP server received: envelope, headers and decoded text. */
interface Mail {
  from: string | undefined;
  to: string[];
  headers: string;
  text: string;
}

/** A real SMTP server (smtp-server) on loopback that keeps what it receives. */
class LoopbackSmtpServer {
  readonly mails: Mail[] = [];
  /** Refuses every connection while true. */
  down = false;
  /** Refuses every recipient while true, with a reply that names the address (as Postfix does). */
  refuseRecipients = false;
  private readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect: (_session, callback) =>
      callback(this.down ? new Error('service not available') : undefined),
    onRcptTo: (address, _session, callback) => {
      if (!this.refuseRecipients) return callback();
      const refusal = new Error(`5.1.1 <${address.address}>: Recipient address rejected`);
      callback(Object.assign(refusal, { responseCode: 550 }));
    },
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        this.mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Headers as sent, and the text part decoded from its Content-Transfer-Encoding. */
function parseMail(raw: string): { headers: string; text: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = raw.slice(0, split);
  const body = raw.slice(split + 4);
  const encoding = /^Content-Transfer-Encoding: *(.+)$/im.exec(headers)?.[1].trim().toLowerCase();
  if (encoding === 'base64') return { headers, text: Buffer.from(body, 'base64').toString('utf8') };
  if (encoding === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => `%${hex}`);
    return { headers, text: decodeURIComponent(bytes) };
  }
  return { headers, text: body };
}

describe('SMS-MT-OTP and SMTP-OTP grants', () => {
  const masterKey = newMasterKey();
  const gateway = new LoopbackSmsGateway();
  const smtp = new LoopbackSmtpServer();
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;
  let clientId: string;
  let otherAuth: string;

  let env: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase();
    env = {
      SMS_GATEWAY_URL: await gateway.start(),
      SMTP_URL: await smtp.start(),
      SMTP_FROM: 'otp@idp.example',
      OTP_SENDS_PER_HOUR: '3',
    };
    server = await startTestServer({ databaseUrl: db.url, masterKey, env });
    const client = await adminCreateClient(server, { grant_types: [SMS, SMTP] });
    clientId = client.client_id;
    auth = basic(client.client_id, client.client_secret!);
    const other = await adminCreateClient(server, { grant_types: [SMS, SMTP] });
    otherAuth = basic(other.client_id, other.client_secret!);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
    await gateway.stop();
    await smtp.stop();
  });

  beforeEach(() => {
    gateway.mode = 'ok';
    smtp.down = false;
    smtp.refuseRecipients = false;
    gateway.texts.length = 0;
    gateway.targets.length = 0;
    smtp.mails.length = 0;
  });

  const token = (params: Record<string, string>, authorization = auth, on = server) =>
    postForm(on, '/oauth2/token', params, authorization);
  const initiateSms = (
    username: string,
    params: Record<string, string> = {},
    authorization = auth,
    on = server,
  ) => token({ grant_type: SMS, scope: 'openid', username, ...params }, authorization, on);
  const initiateMail = (
    username: string,
    params: Record<string, string> = {},
    authorization = auth,
  ) => token({ grant_type: SMTP, scope: 'openid', username, ...params }, authorization);
  const validate = (
    grantType: string,
    reference: string,
    code: string,
    params: Record<string, string> = {},
    authorization = auth,
  ) =>
    token(
      {
        grant_type: grantType,
        scope: 'openid',
        x_globalsign_iam_reference_id: reference,
        x_globalsign_iam_otp_code: code,
        ...params,
      },
      authorization,
    );

  /** Initiates an SMS challenge and returns its reference and the OTP the gateway received. */
  async function smsChallenge(
    username: string,
    authorization = auth,
  ): Promise<{ reference: string; code: string }> {
    const res = await initiateSms(username, {}, authorization);
    expect(res.status).toBe(200);
    return {
      reference: res.body.x_globalsign_iam_challenge.reference,
      code: otpIn(gateway.texts.at(-1)!.challenge),
    };
  }

  async function verifyIdToken(idToken: string) {
    return jwtVerify(idToken, await serverKeySet(server), {
      issuer: server.issuer,
      audience: clientId,
      currentDate: server.clock.now(),
    });
  }

  const invalidGrant = { error: 'invalid_grant', error_description: expect.any(String) };
  const wrongCode = (code: string) => (code === '00000000' ? '00000001' : '00000000');

  it('advertises both grants when a gateway and an SMTP server are configured', async () => {
    const res = await request(server.http).get('/uas/.well-known/openid-configuration');

    expect(res.body.grant_types_supported).toEqual(expect.arrayContaining([SMS, SMTP]));
  });

  describe('SMS-MT-OTP', () => {
    it('texts an OTP to the MSISDN with its + and issues tokens for it against the right code', async () => {
      const initiated = await initiateSms('+358 40 123 4567');

      expect(initiated.status).toBe(200);
      expect(initiated.headers['cache-control']).toBe('no-store');
      expect(initiated.body).toEqual({
        x_globalsign_iam_challenge: { reference: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      expect(gateway.texts).toEqual([
        {
          mobile: '+358401234567',
          challenge: expect.stringMatching(/^Your one-time password is \d{8}$/),
        },
      ]);
      // CONTRACT "Recorded details": the E.164 number keeps its +, URL-encoded for the gateway.
      expect(gateway.targets[0]).toMatch(/^\/send\?to=%2B358401234567&text=/);
      const code = otpIn(gateway.texts[0].challenge);
      expect(initiated.body.x_globalsign_iam_challenge.reference).not.toContain(code);

      const res = await validate(SMS, initiated.body.x_globalsign_iam_challenge.reference, code, {
        username: '+358401234567',
      });

      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
        id_token: expect.any(String),
      });
      const { payload } = await verifyIdToken(res.body.id_token);
      expect(payload).toEqual({
        iss: server.issuer,
        sub: '+358401234567',
        aud: clientId,
        azp: clientId,
        exp: server.clock.nowSeconds() + 3600,
        iat: server.clock.nowSeconds(),
        auth_time: server.clock.nowSeconds(),
        amr: ['otp', 'sms'],
        acr: 'urn:uas:acr:pwd',
        at_hash: expect.any(String),
        phone_number: '+358401234567',
        phone_number_verified: true,
      });
    });

    it('never adds a + the client did not send', async () => {
      const { reference, code } = await smsChallenge('358401234599');

      const res = await validate(SMS, reference, code);

      expect(gateway.texts[0].mobile).toBe('358401234599');
      expect(gateway.targets[0]).toMatch(/^\/send\?to=358401234599&text=/);
      expect(res.status).toBe(200);
      expect((await verifyIdToken(res.body.id_token)).payload).toMatchObject({
        sub: '358401234599',
        phone_number: '358401234599',
      });
    });

    it('invalidates the earlier reference of a number when a new OTP is sent to it, on any instance', async () => {
      const peer = await startTestServer({
        databaseUrl: db.url,
        masterKey,
        env: { SMS_GATEWAY_URL: server.config.sms.gatewayUrl! },
        clock: server.clock,
      });
      try {
        const earlier = await smsChallenge('+358 40 800 0001');
        const unrelated = await smsChallenge('358408000002');
        const later = await initiateSms('358408000001', {}, auth, peer);
        expect(later.status).toBe(200);
        const laterCode = otpIn(gateway.texts.at(-1)!.challenge);

        const stale = await validate(SMS, earlier.reference, earlier.code);
        const fresh = await validate(
          SMS,
          later.body.x_globalsign_iam_challenge.reference,
          laterCode,
        );
        const other = await validate(SMS, unrelated.reference, unrelated.code);

        expect(stale.status).toBe(400);
        expect(stale.body).toEqual(invalidGrant);
        expect(fresh.status).toBe(200);
        expect(other.status).toBe(200);
      } finally {
        await peer.close();
      }
    });

    it('sends the client body with {0} replaced, or the default text of ui_locales', async () => {
      await initiateSms('358401234567', {
        x_globalsign_iam_otp_body: "Example: {0} is your code & nobody else's",
      });
      await initiateSms('358401234568', { ui_locales: 'sv-FI fi' });
      await initiateSms('358401234569', { ui_locales: 'fi' });

      expect(gateway.texts.map((t) => t.challenge)).toEqual([
        expect.stringMatching(/^Example: \d{8} is your code & nobody else's$/),
        expect.stringMatching(/^Ditt engångslösenord är \d{8}$/),
        expect.stringMatching(/^Kertakäyttöinen salasanasi on \d{8}$/),
      ]);
    });

    it('answers a wrong code with invalid_grant, and the reference is then used up', async () => {
      const { reference, code } = await smsChallenge('358402000001');

      const wrong = await validate(SMS, reference, wrongCode(code));
      const right = await validate(SMS, reference, code);

      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual(invalidGrant);
      expect(right.status).toBe(400);
      expect(right.body).toEqual(invalidGrant);
    });

    it('refuses a reference used before', async () => {
      const { reference, code } = await smsChallenge('358402000002');
      expect((await validate(SMS, reference, code)).status).toBe(200);

      const again = await validate(SMS, reference, code);

      expect(again.status).toBe(400);
      expect(again.body).toEqual(invalidGrant);
    });

    it('lets a reference live OTP_TTL_SECONDS and no longer', async () => {
      const early = await smsChallenge('358402000003');
      const late = await smsChallenge('358402000013');

      server.clock.advance(OTP_TTL_SECONDS - 1);
      const inTime = await validate(SMS, early.reference, early.code);
      server.clock.advance(1);
      const expired = await validate(SMS, late.reference, late.code);

      expect(inTime.status).toBe(200);
      expect(expired.status).toBe(400);
      expect(expired.body).toEqual(invalidGrant);
    });

    it('refuses forged references', async () => {
      const { reference, code } = await smsChallenge('358402000004');
      const flipped = `${reference.slice(0, -1)}${reference.endsWith('A') ? 'B' : 'A'}`;

      for (const forged of [
        flipped,
        'A'.repeat(43),
        'x',
        `.${Buffer.from('{"sub":"358402000004"}').toString('base64url')}.x`,
      ]) {
        const res = await validate(SMS, forged, code);
        expect({ forged, status: res.status, body: res.body }).toEqual({
          forged,
          status: 400,
          body: invalidGrant,
        });
      }
      expect((await validate(SMS, reference, code)).status).toBe(200);
    });

    it("refuses another client's reference without using it up", async () => {
      const { reference, code } = await smsChallenge('358402000005');

      const foreign = await validate(SMS, reference, code, {}, otherAuth);
      const own = await validate(SMS, reference, code);

      expect(foreign.status).toBe(400);
      expect(foreign.body).toEqual(invalidGrant);
      expect(own.status).toBe(200);
    });

    it('refuses the reference under the other OTP grant type', async () => {
      const { reference, code } = await smsChallenge('358402000006');

      const res = await validate(SMTP, reference, code);

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidGrant);
    });

    it('refuses validation for another username', async () => {
      const { reference, code } = await smsChallenge('358402000007');

      const res = await validate(SMS, reference, code, { username: '358402000008' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual(invalidGrant);
    });

    it('answers 429 with Retry-After past OTP_SENDS_PER_HOUR for one number, in any spelling, on every instance', async () => {
      const peer = await startTestServer({
        databaseUrl: db.url,
        masterKey,
        env: { SMS_GATEWAY_URL: server.config.sms.gatewayUrl!, OTP_SENDS_PER_HOUR: '3' },
        clock: server.clock,
      });
      try {
        expect((await initiateSms('+358 40 300 0001')).status).toBe(200);
        expect((await initiateSms('00358403000001')).status).toBe(200);
        expect((await initiateSms('358-40-3000001', {}, auth, peer)).status).toBe(200);

        const limited = await initiateSms('358403000001', {}, auth, peer);
        const elsewhere = await initiateSms('358403000001');

        expect(limited.status).toBe(429);
        expect(limited.headers['retry-after']).toBe('3600');
        expect(limited.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
        expect(elsewhere.status).toBe(429);
        expect(gateway.texts).toHaveLength(3);
        expect((await initiateSms('358403000002')).status).toBe(200);

        server.clock.advance(3600);
        expect((await initiateSms('358403000001')).status).toBe(200);
      } finally {
        await peer.close();
      }
    });

    it('answers 503 temporarily_unavailable and no reference when the gateway fails or is down', async () => {
      for (const mode of [500, 404, 'reset'] as const) {
        gateway.mode = mode;

        const res = await initiateSms('358404000001');

        expect({ mode, status: res.status, body: res.body }).toEqual({
          mode,
          status: 503,
          body: { error: 'temporarily_unavailable', error_description: expect.any(String) },
        });
      }
    });

    it('refuses a username that is not an MSISDN before sending anything', async () => {
      for (const username of ['alice@example.com', 'not a number', '']) {
        const res = await initiateSms(username);
        expect({ username, status: res.status, body: res.body }).toEqual({
          username,
          status: 400,
          body: { error: 'invalid_request', error_description: expect.any(String) },
        });
      }
      expect(gateway.texts).toEqual([]);
    });

    it('requires openid in scope', async () => {
      const res = await token({ grant_type: SMS, scope: 'userinfo', username: '358405000001' });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_scope', error_description: expect.any(String) });
      expect(gateway.texts).toEqual([]);
    });
  });

  describe('SMTP-OTP', () => {
    it('mails an OTP to the normalised address and issues tokens for it against the right code', async () => {
      const initiated = await initiateMail(' Alice.Example@Example.COM ', {
        x_globalsign_iam_otp_title: 'Sign in to Example',
        x_globalsign_iam_otp_body: 'Hello,\nyour code is {0}.\n',
      });

      expect(initiated.status).toBe(200);
      expect(initiated.body).toEqual({
        x_globalsign_iam_challenge: { reference: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) },
      });
      expect(smtp.mails).toEqual([
        {
          from: 'otp@idp.example',
          to: ['alice.example@example.com'],
          headers: expect.any(String),
          text: expect.any(String),
        },
      ]);
      const mail = smtp.mails[0];
      expect(mail.headers).toMatch(/^Subject: Sign in to Example$/m);
      expect(mail.headers).toMatch(/^From: otp@idp\.example$/m);
      expect(mail.headers).toMatch(/^To: alice\.example@example\.com$/m);
      expect(mail.text.replace(/\r\n/g, '\n')).toMatch(/^Hello,\nyour code is \d{8}\.\n$/);

      const res = await validate(
        SMTP,
        initiated.body.x_globalsign_iam_challenge.reference,
        otpIn(mail.text),
        {
          username: 'alice.example@example.com',
        },
      );

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
        id_token: expect.any(String),
      });
      const { payload } = await verifyIdToken(res.body.id_token);
      expect(payload).toEqual({
        iss: server.issuer,
        sub: 'alice.example@example.com',
        aud: clientId,
        azp: clientId,
        exp: server.clock.nowSeconds() + 3600,
        iat: server.clock.nowSeconds(),
        auth_time: server.clock.nowSeconds(),
        amr: ['otp'],
        acr: 'urn:uas:acr:pwd',
        at_hash: expect.any(String),
        email: 'alice.example@example.com',
        email_verified: true,
      });
    });

    it('uses the localized default subject and text of ui_locales', async () => {
      await initiateMail('bob@example.com', { ui_locales: 'fi' });

      expect(smtp.mails[0].headers).toMatch(/^Subject: =\?UTF-8\?[QB]\?.+\?=$/m);
      expect(smtp.mails[0].text.trim()).toMatch(/^Kertakäyttöinen salasanasi on \d{8}$/);
    });

    it('answers a wrong code with invalid_grant and uses the reference up', async () => {
      const initiated = await initiateMail('carol@example.com');
      const code = otpIn(smtp.mails[0].text);
      const reference = initiated.body.x_globalsign_iam_challenge.reference;

      const wrong = await validate(SMTP, reference, wrongCode(code));
      const right = await validate(SMTP, reference, code);

      expect(wrong.body).toEqual(invalidGrant);
      expect(right.body).toEqual(invalidGrant);
    });

    it('never turns a line break in the title into a header, and sends nothing', async () => {
      for (const title of [
        'Code\r\nBcc: mallory@example.com',
        'Code\nBcc: mallory@example.com',
        'Code\rBcc: mallory@example.com',
      ]) {
        const res = await initiateMail('dave@example.com', { x_globalsign_iam_otp_title: title });

        expect({ title, status: res.status, body: res.body }).toEqual({
          title,
          status: 400,
          body: { error: 'invalid_request', error_description: expect.any(String) },
        });
      }
      const sneaky = await initiateMail('dave@example.com\r\nBcc: mallory@example.com');

      expect(sneaky.status).toBe(400);
      expect(smtp.mails).toEqual([]);
    });

    it('refuses a title over 200 or a body over 1000 characters', async () => {
      const title = await initiateMail('erin@example.com', {
        x_globalsign_iam_otp_title: 'x'.repeat(201),
      });
      const body = await initiateMail('erin@example.com', {
        x_globalsign_iam_otp_body: `{0}${'x'.repeat(998)}`,
      });

      expect(title.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
      });
      expect(body.body).toEqual({
        error: 'invalid_request',
        error_description: expect.any(String),
      });
      expect(smtp.mails).toEqual([]);
    });

    it('answers 503 temporarily_unavailable and no reference when the SMTP server is down', async () => {
      smtp.down = true;

      const res = await initiateMail('frank@example.com');

      expect(res.status).toBe(503);
      expect(res.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: expect.any(String),
      });
    });

    it("logs a refused recipient by the SMTP reply's codes, never by the reply, which names the address", async () => {
      const logs = new LogCapture();
      const logging = await startTestServer({
        databaseUrl: db.url,
        masterKey,
        env: { ...env, LOG_LEVEL: 'warn' },
        logDestination: logs,
      });
      smtp.refuseRecipients = true;
      try {
        const res = await token(
          { grant_type: SMTP, scope: 'openid', username: 'refused.person@example.com' },
          auth,
          logging,
        );

        expect(res.status).toBe(503);
        expect(res.body.error).toBe('temporarily_unavailable');
        const lines = await logs.waitFor((all) => all.some((l) => l.includes('delivery failed')));
        expect(lines.filter((l) => l.includes('delivery failed'))).toEqual([
          expect.stringContaining('OTP email delivery failed: Error: EENVELOPE: 550: RCPT TO'),
        ]);
        expect(lines.join('\n')).not.toContain('refused.person');
      } finally {
        await logging.close();
      }
    });

    it('answers 429 with Retry-After past OTP_SENDS_PER_HOUR for one address, in any case', async () => {
      for (const username of ['grace@example.com', 'Grace@Example.com', ' GRACE@EXAMPLE.COM']) {
        expect((await initiateMail(username)).status).toBe(200);
      }

      const res = await initiateMail('grace@example.com');

      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('3600');
      expect(res.body).toEqual({ error: 'slow_down', error_description: expect.any(String) });
      expect(smtp.mails).toHaveLength(3);
    });
  });

  describe('subjects (OpenID Connect Core §2: one sub names one person)', () => {
    let idp: SamlTestIssuer;
    let samlAuth: string;

    beforeAll(async () => {
      idp = await makeSamlIssuer();
      const registered = await admin(server).post('/admin/v1/saml-issuers', {
        entity_id: idp.entityId,
        certificates: [idp.certificatePem],
      });
      expect(registered.status).toBe(201);
      const samlClient = await adminCreateClient(server, { grant_types: [SAML2_BEARER] });
      samlAuth = basic(samlClient.client_id, samlClient.client_secret!);
    });

    async function samlSubject(nameId: string): Promise<unknown> {
      const xml = makeSignedAssertion(idp, {
        now: server.clock.now(),
        audience: server.issuer,
        recipient: `${server.issuer}/oauth2/token`,
        nameId,
      });
      const res = await token(
        { grant_type: SAML2_BEARER, assertion: encodeAssertion(xml) },
        samlAuth,
      );
      expect(res.status).toBe(200);
      return (
        await jwtVerify(res.body.access_token, await serverKeySet(server), {
          issuer: server.issuer,
          currentDate: server.clock.now(),
        })
      ).payload.sub;
    }

    async function mailSubject(address: string): Promise<unknown> {
      const initiated = await initiateMail(address);
      expect(initiated.status).toBe(200);
      const res = await validate(
        SMTP,
        initiated.body.x_globalsign_iam_challenge.reference,
        otpIn(smtp.mails.at(-1)!.text),
      );
      expect(res.status).toBe(200);
      return (await verifyIdToken(res.body.id_token)).payload.sub;
    }

    it('gives a NameID equal to an e-mail address that an OTP made a sub a sub of its own', async () => {
      const verified = await mailSubject('henry@example.com');

      const asserted = await samlSubject('henry@example.com');

      expect(verified).toBe('henry@example.com');
      expect(asserted).toEqual(expect.any(String));
      expect(asserted).not.toBe(verified);
      expect(await samlSubject('henry@example.com')).toBe(asserted);
      expect(await mailSubject('henry@example.com')).toBe(verified);
    });

    it('gives an OTP-verified address equal to a NameID already a sub a sub of its own', async () => {
      const asserted = await samlSubject('ivy@example.com');

      const verified = await mailSubject('ivy@example.com');

      expect(asserted).toBe('ivy@example.com');
      expect(verified).toEqual(expect.any(String));
      expect(verified).not.toBe(asserted);
      expect(await mailSubject('ivy@example.com')).toBe(verified);
    });

    it('gives a NameID equal to an MSISDN that an OTP made a sub a sub of its own', async () => {
      const { reference, code } = await smsChallenge('+358409000001');
      const verified = (await verifyIdToken((await validate(SMS, reference, code)).body.id_token))
        .payload.sub;

      const asserted = await samlSubject('+358409000001');

      expect(verified).toBe('+358409000001');
      expect(asserted).not.toBe(verified);
    });
  });

  describe('clients', () => {
    it('answers unauthorized_client to a client whose grant_types do not list the grant, and sends nothing', async () => {
      const client = await adminCreateClient(server, { grant_types: [SMTP] });
      const authorization = basic(client.client_id, client.client_secret!);

      const res = await initiateSms('358406000001', {}, authorization);

      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: 'unauthorized_client',
        error_description: expect.any(String),
      });
      expect(gateway.texts).toEqual([]);
    });
  });
});

describe('OTP grants without a gateway or SMTP server', () => {
  let db: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it("advertises them (the seed's metadata is the floor) and answers 503 naming the missing setting", async () => {
    const metadata = await request(server.http).get('/uas/.well-known/openid-configuration');
    const registered = await adminCreateClient(server, { grant_types: [SMS, SMTP] });
    const auth = basic(registered.client_id, registered.client_secret!);

    const sms = await postForm(
      server,
      '/oauth2/token',
      { grant_type: SMS, scope: 'openid', username: '358401234567' },
      auth,
    );
    const mail = await postForm(
      server,
      '/oauth2/token',
      { grant_type: SMTP, scope: 'openid', username: 'a@example.com' },
      auth,
    );

    expect(metadata.body.grant_types_supported).toEqual(expect.arrayContaining([SMS, SMTP]));
    expect(sms.status).toBe(503);
    expect(sms.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining('SMS_GATEWAY_URL'),
    });
    expect(mail.status).toBe(503);
    expect(mail.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: expect.stringContaining('SMTP_URL'),
    });
  });
});

/**
 * The built server (npm test builds first) as a new user starts it: no DATABASE_URL, so the
 * embedded database in DATA_DIR, and no SMS gateway or SMTP server.
 */
describe('OTP grants in embedded development mode (no DATABASE_URL)', () => {
  const MAIN = path.resolve(__dirname, '../../../dist/apps/server/src/main.js');
  let dataDir: string;
  let child: ChildProcess;
  let origin: string;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'uas-otp-dev-'));
    const port = await freePort();
    child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH ?? '',
        NO_COLOR: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    origin = `http://127.0.0.1:${port}`;
    await new Promise<void>((resolve, reject) => {
      const collect = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(`listening on 127.0.0.1:${port}`)) resolve();
      };
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      child.once('exit', (code) => reject(new Error(`the server exited with ${code}: ${output}`)));
    });
    // The embedded engine's first start takes several seconds.
  }, 60_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const post = (params: Record<string, string>, authorization: string) =>
    request(origin)
      .post('/uas/oauth2/token')
      .set('Authorization', authorization)
      .type('form')
      .send(params);

  /** The messages written to DATA_DIR/development-otp.log so far. */
  async function outbox(): Promise<Array<{ recipient: string; body: string }>> {
    const text = await readFile(path.join(dataDir, 'development-otp.log'), 'utf8').catch(() => '');
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { recipient: string; body: string });
  }

  /** The log reaches the pipe on its own schedule, not with the HTTP answer: wait for the line. */
  async function developmentLinesAfter(offset: number): Promise<string[]> {
    const lines = () =>
      output
        .slice(offset)
        .split('\n')
        .filter((line) => line.includes('DEVELOPMENT ONLY'));
    for (let i = 0; i < 100 && lines().length === 0; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    return lines();
  }

  it('advertises both grants and writes each OTP to DATA_DIR/development-otp.log, and the log only where', async () => {
    const metadata = await request(origin).get('/uas/.well-known/openid-configuration');
    expect(metadata.body.grant_types_supported).toEqual(expect.arrayContaining([SMS, SMTP]));
    const registered = await request(origin)
      .post('/admin/v1/clients')
      .set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`)
      .send({ grant_types: [SMS, SMTP] });
    expect(registered.status).toBe(201);
    const auth = basic(registered.body.client_id, registered.body.client_secret);

    for (const [grantType, username, channel] of [
      [SMS, '358401234567', 'SMS'],
      [SMTP, 'dev@example.com', 'e-mail'],
    ]) {
      const logged = output.length;
      const initiated = await post({ grant_type: grantType, scope: 'openid', username }, auth);
      expect(initiated.status).toBe(200);
      const lines = await developmentLinesAfter(logged);
      expect(lines).toEqual([
        expect.stringContaining(`DEVELOPMENT ONLY, not delivered: ${channel} (no `),
      ]);
      expect(lines[0]).toContain(` to ${username}: written to `);
      const [message] = (await outbox()).filter((m) => m.recipient === username);
      const otp = otpIn(message.body);
      // CONTRACT §5: never an OTP in a log line; the message is in DATA_DIR's file only.
      expect(lines[0]).not.toContain(otp);
      expect(output).not.toContain(message.body);

      const res = await post(
        {
          grant_type: grantType,
          scope: 'openid',
          x_globalsign_iam_reference_id: initiated.body.x_globalsign_iam_challenge.reference,
          x_globalsign_iam_otp_code: otp,
        },
        auth,
      );

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
        id_token: expect.any(String),
      });
    }
  });
});
