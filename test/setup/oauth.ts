import request from 'supertest';

import { TestServer, TEST_ADMIN_TOKEN } from './test-server';

/** RFC 6749 §2.3.1: client id and secret form-urlencoded, then Basic. */
export function basic(clientId: string, secret: string): string {
  const enc = (v: string) => encodeURIComponent(v).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(clientId)}:${enc(secret)}`).toString('base64')}`;
}

/** A POST of form parameters to a protocol path below /uas. */
export function postForm(server: TestServer, path: string, params: Record<string, string>, authorization?: string) {
  const req = request(server.http).post(`/uas${path}`).type('form').send(params);
  return authorization ? req.set('Authorization', authorization) : req;
}

/** Registers a client through the admin API; fails the test on anything but 201. */
export async function adminCreateClient(server: TestServer, metadata: Record<string, unknown>): Promise<{ client_id: string; client_secret?: string } & Record<string, unknown>> {
  const res = await request(server.http).post('/admin/v1/clients').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).send(metadata);
  if (res.status !== 201) throw new Error(`client registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Creates a user through the admin API; fails the test on anything but 201. */
export async function adminCreateUser(server: TestServer, user: Record<string, unknown>): Promise<{ id: string; username: string } & Record<string, unknown>> {
  const res = await request(server.http).post('/admin/v1/users').set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`).send(user);
  if (res.status !== 201) throw new Error(`user creation failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** An admin call with the test token. */
export function admin(server: TestServer) {
  const auth = (r: request.Test) => r.set('Authorization', `Bearer ${TEST_ADMIN_TOKEN}`);
  return {
    get: (path: string) => auth(request(server.http).get(path)),
    post: (path: string, body?: object) => auth(request(server.http).post(path)).send(body ?? {}),
    put: (path: string, body: object) => auth(request(server.http).put(path)).send(body),
    patch: (path: string, body: object) => auth(request(server.http).patch(path)).send(body),
    delete: (path: string) => auth(request(server.http).delete(path)),
  };
}

/** The decoded (unverified) header and payload of a compact JWT. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}
