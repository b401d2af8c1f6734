import request from 'supertest';

import { admin } from '../../factories/admin.factory';
import { makeSamlIssuer, SamlTestIssuer } from '../../factories/saml-assertion.factory';
import { createTestDatabase, TestDatabase } from '../../setup/test-database';
import { startTestServer, TestServer } from '../../setup/test-server';

const PATH = '/admin/v1/saml-issuers';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('admin API: SAML issuers', () => {
  let db: TestDatabase;
  let server: TestServer;
  let idp: SamlTestIssuer;
  let rollover: SamlTestIssuer;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    idp = await makeSamlIssuer('urn:uuid:0b7e4c2a-1d3f-4e5a-8b6c-7d8e9f0a1b2c');
    rollover = await makeSamlIssuer('urn:uuid:0b7e4c2a-1d3f-4e5a-8b6c-7d8e9f0a1b2c');
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  it('refuses every route without the admin token', async () => {
    for (const res of [
      await request(server.http).get(PATH),
      await request(server.http)
        .post(PATH)
        .send({ entity_id: 'urn:x', certificates: [idp.certificatePem] }),
      await request(server.http).delete(`${PATH}/0b7e4c2a-1d3f-4e5a-8b6c-7d8e9f0a1b2c`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'invalid_token', error_description: expect.any(String) });
    }
  });

  it('registers an issuer with its certificates, lists it, and deletes it', async () => {
    const created = await admin(server)
      .post(PATH)
      .send({
        entity_id: idp.entityId,
        certificates: [idp.certificatePem, rollover.certificatePem],
      });

    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    expect(created.body).toEqual({
      id: expect.stringMatching(UUID),
      entity_id: idp.entityId,
      // Normalized PEM: what node:crypto writes, with a final line break.
      certificates: [`${idp.certificatePem.trim()}\n`, `${rollover.certificatePem.trim()}\n`],
      created_at: server.clock.now().toISOString(),
    });

    const listed = await admin(server).get(PATH);
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ items: [created.body] });

    const deleted = await admin(server).delete(`${PATH}/${created.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await admin(server).get(PATH)).body).toEqual({ items: [] });
  });

  it('answers 409 conflict for an entity_id that is registered', async () => {
    const entityId = 'https://idp.example.org/dup';
    const first = await admin(server)
      .post(PATH)
      .send({ entity_id: entityId, certificates: [idp.certificatePem] });

    const again = await admin(server)
      .post(PATH)
      .send({ entity_id: entityId, certificates: [rollover.certificatePem] });

    expect(first.status).toBe(201);
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: 'conflict', error_description: expect.any(String) });
    await admin(server).delete(`${PATH}/${first.body.id}`);
  });

  it('answers 404 for an issuer that does not exist, or an id that is not a UUID', async () => {
    for (const id of ['0b7e4c2a-1d3f-4e5a-8b6c-7d8e9f0a1b2c', 'not-a-uuid']) {
      const res = await admin(server).delete(`${PATH}/${id}`);

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', error_description: expect.any(String) });
    }
  });

  it.each([
    [
      'an unknown field',
      { certificates: ['x'], entity_id: 'urn:a', private_key: 'x' },
      'private_key',
    ],
    ['no entity_id', { certificates: ['x'] }, 'entity_id'],
    ['an empty entity_id', { entity_id: '', certificates: ['x'] }, 'entity_id'],
    ['no certificates', { entity_id: 'urn:a' }, 'certificates'],
    ['an empty certificate list', { entity_id: 'urn:a', certificates: [] }, 'certificates'],
    [
      'a certificate that is not a string',
      { entity_id: 'urn:a', certificates: [42] },
      'certificates',
    ],
  ])('answers 400 invalid_request naming the field for %s', async (_, body, field) => {
    const res = await admin(server).post(PATH).send(body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      fields: expect.arrayContaining([{ field, problems: expect.any(Array) }]),
    });
  });

  it('answers 400 naming the entry for garbage, a private key or a short key', async () => {
    const weak = await makeSamlIssuer('https://weak.example.org', 1024);

    const res = await admin(server)
      .post(PATH)
      .send({
        entity_id: 'urn:bad',
        certificates: [idp.certificatePem, 'garbage', idp.privateKeyPem, weak.certificatePem],
      });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'invalid_request',
      error_description: expect.any(String),
      fields: [
        { field: 'certificates[1]', problems: ['must be one PEM-encoded X.509 certificate'] },
        { field: 'certificates[2]', problems: ['must be a certificate, not a private key'] },
        { field: 'certificates[3]', problems: ['must hold an RSA key of at least 2048 bits'] },
      ],
    });
    expect((await admin(server).get(PATH)).body).toEqual({ items: [] });
  });
});
