import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { adminCreateClient, basic } from '../setup/oauth';
import { startTestServer, TestServer } from '../setup/test-server';

describe('token endpoint request handling', () => {
  let db: TestDatabase;
  let server: TestServer;
  let auth: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    server = await startTestServer({ databaseUrl: db.url });
    const client = await adminCreateClient(server, { grant_types: ['client_credentials'] });
    auth = basic(client.client_id, client.client_secret!);
  });

  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const post = () => request(server.http).post('/uas/oauth2/token').set('Authorization', auth);

  it('refuses a JSON body: the endpoint takes form parameters (RFC 6749 §3.2)', async () => {
    const res = await post().send({ grant_type: 'client_credentials' });

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('refuses a repeated parameter (RFC 6749 §3.1)', async () => {
    const res = await post()
      .type('form')
      .send('grant_type=client_credentials&grant_type=client_credentials');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.any(String) });
  });

  it('refuses a missing grant_type', async () => {
    const res = await post().type('form').send('scope=openid');

    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });

  it('answers unsupported_grant_type for an unknown grant', async () => {
    const res = await post().type('form').send('grant_type=urn:example:unknown');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      error: 'unsupported_grant_type',
      error_description: expect.any(String),
    });
  });

  it('answers 413 for an oversize body, without a stack trace', async () => {
    const res = await post()
      .type('form')
      .send(`grant_type=client_credentials&scope=${'a'.repeat(70_000)}`);

    expect(res.status).toBe(413);
    expect(res.body).toEqual({ error: 'payload_too_large', error_description: expect.any(String) });
  });

  it('answers a malformed Basic header with invalid_client', async () => {
    const res = await request(server.http)
      .post('/uas/oauth2/token')
      .set('Authorization', 'Basic %%%')
      .type('form')
      .send('grant_type=client_credentials');

    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
  });

  it('answers an unknown client with invalid_client and no hint', async () => {
    const res = await request(server.http)
      .post('/uas/oauth2/token')
      .set('Authorization', basic('00000000-0000-4000-8000-000000000000', 'x'))
      .type('form')
      .send('grant_type=client_credentials');

    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed.',
    });
  });
});

describe('CORS on the endpoints browser applications call', () => {
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

  it.each([
    '/uas/oauth2/token',
    '/uas/oauth2/userinfo',
    '/uas/oauth2/introspection',
    '/uas/oauth2/revocation',
  ])('answers a preflight for %s', async (path) => {
    const res = await request(server.http)
      .options(path)
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization, content-type');

    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(res.headers['access-control-allow-headers']).toBe('Authorization, Content-Type');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('marks token responses, errors included, as readable from any origin', async () => {
    const res = await request(server.http)
      .post('/uas/oauth2/token')
      .set('Origin', 'https://app.example')
      .type('form')
      .send('grant_type=client_credentials');

    expect(res.status).toBe(401);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it.each([
    '/uas/.well-known/openid-configuration',
    '/uas/.well-known/openid-configuration?x=1',
    '/uas/.well-known/oauth-authorization-server',
    '/uas/oauth2/metadata.json',
    '/uas/oauth2/metadata.jwks',
  ])('marks %s readable from any origin, and answers its preflight', async (path) => {
    const res = await request(server.http).get(path).set('Origin', 'https://app.example');
    const preflight = await request(server.http)
      .options(path)
      .set('Origin', 'https://app.example')
      .set('Access-Control-Request-Method', 'GET');

    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
  });

  it('sends no CORS headers on the admin API', async () => {
    const res = await request(server.http)
      .get('/admin/v1/clients')
      .set('Origin', 'https://app.example');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
