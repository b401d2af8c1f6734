import { createLocalJWKSet } from 'jose';
import request from 'supertest';

import { admin as adminRequest } from '../factories/admin.factory';
import { basicAuth, createClient, CreatedClient } from '../factories/client.factory';
import { createUser, CreatedUser, UserInput } from '../factories/user.factory';
import { TestServer } from './test-server';

/** RFC 6749 §2.3.1: client id and secret form-urlencoded, then Basic. */
export function basic(clientId: string, secret: string): string {
  return basicAuth({ client_id: clientId, client_secret: secret });
}

/** A POST of form parameters to a protocol path below /uas. */
export function postForm(
  server: TestServer,
  path: string,
  params: Record<string, string>,
  authorization?: string,
) {
  const req = request(server.http).post(`/uas${path}`).type('form').send(params);
  return authorization ? req.set('Authorization', authorization) : req;
}

/** Registers a client through the admin API (test/factories); fails the test on anything but 201. */
export function adminCreateClient(
  server: TestServer,
  metadata: Record<string, unknown>,
): Promise<CreatedClient> {
  return createClient(server, metadata);
}

/** Creates a user through the admin API (test/factories); fails the test on anything but 201. */
export function adminCreateUser(server: TestServer, user: UserInput): Promise<CreatedUser> {
  return createUser(server, user);
}

/** Admin calls with the test token, a body given with the call. */
export function admin(server: TestServer) {
  const api = adminRequest(server);
  return {
    get: (path: string) => api.get(path),
    post: (path: string, body?: object) => api.post(path).send(body ?? {}),
    put: (path: string, body: object) => api.put(path).send(body),
    patch: (path: string, body: object) => api.patch(path).send(body),
    delete: (path: string) => api.delete(path),
  };
}

/** The server's published JWKS as a jose key set, for verifying what it signed. */
export async function serverKeySet(
  server: TestServer,
): Promise<ReturnType<typeof createLocalJWKSet>> {
  const res = await request(server.http).get(
    `${server.config.issuer.basePath}/oauth2/metadata.jwks`,
  );
  return createLocalJWKSet(JSON.parse(res.text));
}

/** The decoded (unverified) header and payload of a compact JWT. */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString('utf8')),
  };
}
