import request from 'supertest';

import { createTestDatabase, TestDatabase } from '../setup/test-database';
import { startTestServer, TestServer } from '../setup/test-server';

/** Metadata and JWKS are serialized once and carry a strong ETag; a matching If-None-Match gets 304. */
describe.each([
  ['metadata', '/uas/.well-known/openid-configuration'],
  ['JWKS', '/uas/oauth2/metadata.jwks'],
])('%s ETag', (_name, path) => {
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

  it('sends the same strong ETag with every copy of the document', async () => {
    const first = await request(server.http).get(path);
    const second = await request(server.http).get(path);

    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]{27}"$/);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.text).toBe(first.text);
  });

  it('answers 304 without a body when If-None-Match names the current ETag', async () => {
    const { headers } = await request(server.http).get(path);

    const res = await request(server.http)
      .get(path)
      .set('If-None-Match', `"other", W/${headers.etag}`);

    expect(res.status).toBe(304);
    expect(res.text ?? '').toBe('');
    expect(res.headers.etag).toBe(headers.etag);
  });

  it('sends the document when If-None-Match names another ETag', async () => {
    const res = await request(server.http).get(path).set('If-None-Match', '"stale"');

    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual(expect.any(Object));
  });
});
