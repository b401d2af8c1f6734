import { randomBytes, randomUUID } from 'node:crypto';

import { jwtVerify } from 'jose';
import request from 'supertest';

import { admin } from '../../factories/admin.factory';
import { basicAuth, createClient, CreatedClient } from '../../factories/client.factory';
import { createUser } from '../../factories/user.factory';
import {
  AssertionOptions,
  buildAssertionXml,
  encodeAssertion,
  makeSamlIssuer,
  makeSignedAssertion,
  SamlTestIssuer,
  signAssertionXml,
  SignOptions,
  XmlDsig,
} from '../../factories/saml-assertion.factory';
import { postForm, serverKeySet } from '../../setup/oauth';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { newMasterKey, startTestServer, TestServer } from '../../setup/test-server';

const SAML2_BEARER = 'urn:ietf:params:oauth:grant-type:saml2-bearer';
const SIGNATURE = /<ds:Signature[\s\S]*<\/ds:Signature>/;
/** RFC 7522 §3.1: every refused assertion gets this, whatever the reason. */
const REFUSED = { error: 'invalid_grant', error_description: 'The assertion is not valid.' };

describe('saml2-bearer grant (RFC 7522)', () => {
  const masterKey = newMasterKey();
  let db: TestDatabase;
  let server: TestServer;
  let idp: SamlTestIssuer;
  let attacker: SamlTestIssuer;
  let client: CreatedClient;
  let tokenEndpoint: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url, masterKey });
    tokenEndpoint = `${server.issuer}/oauth2/token`;
    idp = await makeSamlIssuer();
    attacker = await makeSamlIssuer('https://attacker.example.net/idp');
    const registered = await admin(server)
      .post('/admin/v1/saml-issuers')
      .send({ entity_id: idp.entityId, certificates: [idp.certificatePem] });
    expect(registered.status).toBe(201);
    client = await createClient(server, {
      grant_types: [SAML2_BEARER],
      client_name: 'saml relying service',
    });
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  /** A signed assertion that succeeds unless `overrides` or `sign` break it. */
  function assertion(
    overrides: Partial<AssertionOptions> = {},
    sign: SignOptions = {},
    by: SamlTestIssuer = idp,
  ): string {
    const defaults = { now: server.clock.now(), audience: server.issuer, recipient: tokenEndpoint };
    return makeSignedAssertion(by, { ...defaults, ...overrides }, sign);
  }

  function unsigned(overrides: Partial<AssertionOptions> = {}): string {
    return buildAssertionXml({
      now: server.clock.now(),
      audience: server.issuer,
      recipient: tokenEndpoint,
      issuer: idp.entityId,
      ...overrides,
    });
  }

  function token(
    xml: string,
    params: Record<string, string> = {},
    on: TestServer = server,
    as: CreatedClient = client,
  ) {
    return request(on.http)
      .post('/uas/oauth2/token')
      .type('form')
      .set('Authorization', basicAuth(as))
      .send({ grant_type: SAML2_BEARER, assertion: encodeAssertion(xml), ...params });
  }

  function expectRefused(res: request.Response): void {
    expect({ status: res.status, body: res.body }).toEqual({ status: 400, body: REFUSED });
    expect(res.headers['cache-control']).toBe('no-store');
  }

  async function verifiedJwt(jwt: string, on: TestServer = server) {
    return (
      await jwtVerify(jwt, await serverKeySet(on), {
        issuer: on.issuer,
        currentDate: on.clock.now(),
      })
    ).payload;
  }

  /** Another instance of the same deployment: same database, key and issuer URL. */
  function startInstance(): Promise<TestServer> {
    return startTestServer({
      databaseUrl: db.url,
      masterKey,
      clock: server.clock,
      env: { ISSUER: server.issuer },
    });
  }

  describe('success', () => {
    it('issues tokens whose subject is the NameID, with the attributes as claims', async () => {
      const now = server.clock.now();
      const xml = assertion({
        nameId: 'alice@example.com',
        authnInstant: new Date(now.getTime() - 30_000),
        attributes: { email: ['alice@example.com'], groups: ['staff', 'admins'], sub: ['root'] },
      });

      const res = await token(xml, { scope: 'openid' });

      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'openid',
        id_token: expect.any(String),
      });
      const authTime = Math.floor(now.getTime() / 1000) - 30;
      expect(await verifiedJwt(res.body.access_token)).toMatchObject({
        sub: 'alice@example.com',
        client_id: client.client_id,
        scope: 'openid',
        auth_time: authTime,
      });
      expect(await verifiedJwt(res.body.id_token)).toMatchObject({
        sub: 'alice@example.com',
        aud: client.client_id,
        amr: ['saml'],
        auth_time: authTime,
        email: ['alice@example.com'],
        groups: ['staff', 'admins'],
      });
      const userinfo = await request(server.http)
        .get('/uas/oauth2/userinfo')
        .set('Authorization', `Bearer ${res.body.access_token}`);
      expect(userinfo.status).toBe(200);
      expect(userinfo.body).toEqual({
        sub: 'alice@example.com',
        email: ['alice@example.com'],
        groups: ['staff', 'admins'],
      });
    });

    it('accepts the token endpoint as the audience and plain base64 encoding', async () => {
      const xml = assertion({ audience: tokenEndpoint, nameId: 'b?>>' });

      const res = await request(server.http)
        .post('/uas/oauth2/token')
        .type('form')
        .set('Authorization', basicAuth(client))
        .send({ grant_type: SAML2_BEARER, assertion: encodeAssertion(xml, 'base64') });

      expect(encodeAssertion(xml, 'base64')).toMatch(/[+/]/);
      expect(res.status).toBe(200);
      expect((await verifiedJwt(res.body.access_token)).sub).toBe('b?>>');
    });

    it('keeps the whole NameID when a comment is inserted into it after signing', async () => {
      const signed = assertion({ nameId: 'user@example.com.evil.com' });
      const commented = signed.replace(
        '>user@example.com.evil.com<',
        '>user@example.com<!---->.evil.com<',
      );
      expect(commented).not.toBe(signed);

      const res = await token(commented);

      expect(res.status).toBe(200);
      expect((await verifiedJwt(res.body.access_token)).sub).toBe('user@example.com.evil.com');
    });
  });

  describe('subjects (OpenID Connect Core §2: one sub names one person)', () => {
    let second: SamlTestIssuer;

    beforeAll(async () => {
      second = await makeSamlIssuer('https://second.example.org/idp');
      const registered = await admin(server)
        .post('/admin/v1/saml-issuers')
        .send({ entity_id: second.entityId, certificates: [second.certificatePem] });
      expect(registered.status).toBe(201);
    });

    /** The `sub` of the access token and the ID token the assertion buys (they must agree). */
    async function subjectOf(
      nameId: string,
      by: SamlTestIssuer = idp,
      on: TestServer = server,
    ): Promise<unknown> {
      const res = await token(assertion({ nameId }, {}, by), { scope: 'openid' }, on);
      expect(res.status).toBe(200);
      const accessToken = await verifiedJwt(res.body.access_token, on);
      const idToken = await verifiedJwt(res.body.id_token, on);
      expect(idToken.sub).toBe(accessToken.sub);
      return accessToken.sub;
    }

    it('gives the same NameID from two issuers two subs, each stable across calls and instances', async () => {
      const first = await subjectOf('shared@example.com');
      const other = await subjectOf('shared@example.com', second);

      // The first issuer to present the value keeps it; the second may not speak for that user.
      expect(first).toBe('shared@example.com');
      expect(other).toEqual(expect.any(String));
      expect(other).not.toBe(first);
      expect(await subjectOf('shared@example.com', second)).toBe(other);
      expect(await subjectOf('shared@example.com')).toBe(first);
      const peer = await startInstance();
      try {
        expect(await subjectOf('shared@example.com', second, peer)).toBe(other);
        expect(await subjectOf('shared@example.com', idp, peer)).toBe(first);
      } finally {
        await peer.close();
      }
    });

    it('never gives a NameID equal to a client_id that client_id as sub (RFC 9068 §2.2)', async () => {
      const sub = await subjectOf(client.client_id);

      expect(sub).not.toBe(client.client_id);
      expect(await subjectOf(client.client_id)).toBe(sub);
    });

    it('never gives a NameID equal to a user id that user id as sub', async () => {
      const user = await createUser(server);

      const sub = await subjectOf(user.id);

      expect(sub).not.toBe(user.id);
      expect(await subjectOf(user.id)).toBe(sub);
    });

    it('never gives a UUID-shaped NameID as sub, since a later user or client could get that id', async () => {
      const future = randomUUID();

      const sub = await subjectOf(future);

      expect(sub).not.toBe(future);
      expect(sub).not.toBe(future.toUpperCase());
      expect(await subjectOf(future.toUpperCase())).not.toBe(future.toUpperCase());
    });
  });

  describe('the request', () => {
    it('answers invalid_request without an assertion', async () => {
      const res = await request(server.http)
        .post('/uas/oauth2/token')
        .type('form')
        .set('Authorization', basicAuth(client))
        .send({ grant_type: SAML2_BEARER });

      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    });

    it('answers unauthorized_client to a client without the grant, and keeps the assertion usable', async () => {
      const other = await createClient(server, { grant_types: ['client_credentials'] });
      const xml = assertion();

      const refused = await token(xml, {}, server, other);

      expect(refused.status).toBe(400);
      expect(refused.body).toEqual({
        error: 'unauthorized_client',
        error_description: expect.any(String),
      });
      expect((await token(xml)).status).toBe(200);
    });

    it('ignores a scope value the server does not know (OpenID Connect Core §3.1.2.1)', async () => {
      const res = await token(assertion(), { scope: 'openid admin' });

      expect(res.status).toBe(200);
      expect(res.body.scope).toBe('openid');
    });

    it('refuses an assertion parameter that is not base64url', async () => {
      expectRefused(
        await request(server.http)
          .post('/uas/oauth2/token')
          .type('form')
          .set('Authorization', basicAuth(client))
          .send({ grant_type: SAML2_BEARER, assertion: '<saml:Assertion/>' }),
      );
    });
  });

  describe('signature', () => {
    it('refuses an unsigned assertion', async () => {
      expectRefused(await token(unsigned()));
    });

    it('refuses an assertion signed by an issuer that is not registered', async () => {
      expectRefused(await token(assertion({}, {}, attacker)));
    });

    it('refuses a registered Issuer signed with another key (untrusted signer)', async () => {
      expectRefused(await token(assertion({ issuer: idp.entityId }, {}, attacker)));
    });

    it('never verifies with the certificate in KeyInfo', async () => {
      const xml = assertion(
        { issuer: idp.entityId },
        { keyInfoCertificatePem: attacker.certificatePem },
        attacker,
      );
      expect(xml).toContain('<ds:X509Certificate>');

      expectRefused(await token(xml));
    });

    it('refuses content changed after signing', async () => {
      const signed = assertion({ nameId: 'alice@example.com' });

      expectRefused(await token(signed.replace('>alice@example.com<', '>admin@example.com<')));
    });

    it('refuses a weak algorithm: RSA-SHA1 with SHA-1 digests', async () => {
      expectRefused(
        await token(
          assertion({}, { signatureAlgorithm: XmlDsig.RsaSha1, digestAlgorithm: XmlDsig.Sha1 }),
        ),
      );
    });

    it('refuses a SHA-1 digest under an RSA-SHA256 signature', async () => {
      expectRefused(await token(assertion({}, { digestAlgorithm: XmlDsig.Sha1 })));
    });

    it('refuses inclusive canonicalization', async () => {
      const inclusive = {
        canonicalizationAlgorithm: XmlDsig.C14n,
        transforms: [XmlDsig.Enveloped, XmlDsig.C14n],
      };

      expectRefused(await token(assertion({}, inclusive)));
    });

    it('refuses assertions of an issuer once it is deleted', async () => {
      const departing = await makeSamlIssuer('https://departing.example.org/idp');
      const created = await admin(server)
        .post('/admin/v1/saml-issuers')
        .send({ entity_id: departing.entityId, certificates: [departing.certificatePem] });
      const before = await token(assertion({}, {}, departing));

      expect((await admin(server).delete(`/admin/v1/saml-issuers/${created.body.id}`)).status).toBe(
        204,
      );

      expect(before.status).toBe(200);
      expectRefused(await token(assertion({}, {}, departing)));
    });

    it("ends the tokens an issuer's assertions bought once the issuer is deleted, and only those", async () => {
      // A leaked signing key: forged assertions bought a refresh token, which must not outlive
      // the issuer's removal.
      const leaked = await makeSamlIssuer('https://leaked.example.org/idp');
      const created = await admin(server)
        .post('/admin/v1/saml-issuers')
        .send({ entity_id: leaked.entityId, certificates: [leaked.certificatePem] });
      const refreshing = await createClient(server, {
        grant_types: [SAML2_BEARER, 'refresh_token'],
        client_name: 'saml refreshing service',
      });
      const forged = await token(
        assertion({ nameId: 'ceo@example.com' }, {}, leaked),
        {},
        server,
        refreshing,
      );
      const genuine = await token(assertion({ nameId: 'ceo@example.com' }), {}, server, refreshing);
      expect([forged.status, genuine.status]).toEqual([200, 200]);
      const introspect = (accessToken: string) =>
        postForm(server, '/oauth2/introspection', { token: accessToken }, basicAuth(refreshing));
      const refresh = (refreshToken: string) =>
        postForm(
          server,
          '/oauth2/token',
          { grant_type: 'refresh_token', refresh_token: refreshToken },
          basicAuth(refreshing),
        );
      expect((await introspect(forged.body.access_token)).body.active).toBe(true);

      expect((await admin(server).delete(`/admin/v1/saml-issuers/${created.body.id}`)).status).toBe(
        204,
      );

      expect((await introspect(forged.body.access_token)).body).toEqual({ active: false });
      const refused = await refresh(forged.body.refresh_token);
      expect({ status: refused.status, error: refused.body.error }).toEqual({
        status: 400,
        error: 'invalid_grant',
      });
      // The other issuer's tokens for the same NameID are its own subject's, and live on.
      expect((await introspect(genuine.body.access_token)).body.active).toBe(true);
      expect((await refresh(genuine.body.refresh_token)).status).toBe(200);
    });
  });

  describe('signature wrapping', () => {
    it('refuses an unsigned assertion carrying the signed one in Advice', async () => {
      const original = assertion({ id: '_w1orig', nameId: 'alice' });
      const evil = unsigned({ id: '_w1evil', nameId: 'admin' })
        .replace('</saml:Issuer>', `</saml:Issuer>${original.match(SIGNATURE)![0]}`)
        .replace(
          '</saml:Conditions>',
          `</saml:Conditions><saml:Advice>${original.replace(SIGNATURE, '')}</saml:Advice>`,
        );

      expectRefused(await token(evil));
    });

    it('refuses a Response holding an unsigned assertion next to the signed one', async () => {
      const original = assertion({ id: '_w2orig', nameId: 'alice' });
      const evil = unsigned({ id: '_w2evil', nameId: 'admin' });

      const response = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol">${evil}${original}</samlp:Response>`;

      expectRefused(await token(response));
    });

    it('refuses an evil assertion that reuses the signed ID and hides the original in an extension', async () => {
      const original = assertion({ id: '_w3', nameId: 'alice' });
      const evil = unsigned({ id: '_w3', nameId: 'admin' }).replace(
        '</saml:Issuer>',
        `</saml:Issuer>${original.match(SIGNATURE)![0]}<x:Ext xmlns:x="urn:x">${original.replace(SIGNATURE, '')}</x:Ext>`,
      );

      expectRefused(await token(evil));
    });

    it('refuses a signature that covers only the Subject', async () => {
      expectRefused(await token(assertion({}, { referenceXpath: "//*[local-name(.)='Subject']" })));
    });

    it('refuses a second, unsigned Subject added to a signed assertion', async () => {
      const signed = assertion({ nameId: 'alice' });

      const extra = '<saml:Subject><saml:NameID>admin</saml:NameID></saml:Subject>';

      expectRefused(await token(signed.replace('<saml:Subject>', `${extra}<saml:Subject>`)));
    });
  });

  describe('audience, recipient and validity', () => {
    it('refuses an audience that is not this server', async () => {
      expectRefused(await token(assertion({ audience: 'https://sp.example.org/shibboleth' })));
    });

    it('refuses a Recipient that is not the token endpoint', async () => {
      expectRefused(await token(assertion({ recipient: `${server.issuer}/oauth2/authorization` })));
    });

    it('refuses an expired assertion (past NotOnOrAfter plus 60 s skew)', async () => {
      const xml = assertion();
      server.clock.advance(300 + 61);

      expectRefused(await token(xml));
    });

    it('accepts an assertion 59 s after its NotOnOrAfter (clock skew)', async () => {
      const xml = assertion();
      server.clock.advance(300 + 59);

      expect((await token(xml)).status).toBe(200);
    });

    it('refuses an assertion that is not yet valid (NotBefore more than 60 s ahead)', async () => {
      const now = server.clock.now();

      expectRefused(
        await token(assertion({ notBefore: new Date(now.getTime() + 120_000), issueInstant: now })),
      );
    });
  });

  describe('replay', () => {
    it('refuses the same assertion the second time', async () => {
      const xml = assertion();

      expect((await token(xml)).status).toBe(200);
      expectRefused(await token(xml));
    });

    it('refuses a replay when a second confirmation of the assertion comes due later', async () => {
      const now = server.clock.now();
      const at = (seconds: number) => new Date(now.getTime() + seconds * 1000).toISOString();
      // Without a Conditions NotOnOrAfter, two bearer confirmations for the token endpoint: one
      // valid now for 5 minutes, one valid from an hour on.
      const second =
        `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
        `<saml:SubjectConfirmationData Recipient="${tokenEndpoint}" NotBefore="${at(3600)}" NotOnOrAfter="${at(7200)}"/>` +
        '</saml:SubjectConfirmation>';
      const xml = signAssertionXml(
        unsigned({ notOnOrAfter: null }).replace('</saml:Subject>', `${second}</saml:Subject>`),
        idp.privateKeyPem,
      );
      expect((await token(xml)).status).toBe(200);

      server.clock.advance(3700);
      try {
        expectRefused(await token(xml));
      } finally {
        server.clock.advance(-3700);
      }
    });

    it('refuses a replay on another instance', async () => {
      const xml = assertion();
      expect((await token(xml)).status).toBe(200);

      const other = await startInstance();
      try {
        expectRefused(await token(xml, {}, other));
      } finally {
        await other.close();
      }
    });

    it('refuses a replay after a restart', async () => {
      const xml = assertion();
      const before = await startInstance();
      try {
        expect((await token(xml, {}, before)).status).toBe(200);
      } finally {
        await before.close();
      }

      const after = await startInstance();
      try {
        expectRefused(await token(xml, {}, after));
      } finally {
        await after.close();
      }
    });
  });

  describe('XML attacks', () => {
    it('refuses a NameID or an assertion ID longer than SAML allows, as invalid_grant', async () => {
      // Longer than a b-tree index entry may be (about 2.7 kB), and random, so it compresses
      // no smaller: stored, it was a 500.
      const long = randomBytes(3000).toString('base64url');

      expectRefused(await token(assertion({ nameId: long })));
      expectRefused(await token(assertion({ id: `_${long}` })));
      expect(
        (await token(assertion({ nameId: 'n'.repeat(1024), id: `_${'i'.repeat(255)}` }))).status,
      ).toBe(200);
    });

    it('refuses a DOCTYPE', async () => {
      expectRefused(await token(`<!DOCTYPE saml:Assertion>${assertion()}`));
    });

    it('refuses entity expansion', async () => {
      const dtd =
        '<!DOCTYPE a [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>';

      expectRefused(await token(dtd + assertion({ nameId: 'x' }).replace('>x<', '>&lol3;<')));
    });

    it('refuses an external entity', async () => {
      const dtd = '<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>';

      expectRefused(await token(dtd + assertion({ nameId: 'x' }).replace('>x<', '>&xxe;<')));
    });
  });
});
