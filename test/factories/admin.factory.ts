import request from 'supertest';

import { TEST_ADMIN_TOKEN, TestServer } from '../setup/test-server';

/** The Authorization header of the admin API in tests. */
export const ADMIN_AUTH = `Bearer ${TEST_ADMIN_TOKEN}`;

/** An admin API request with the test admin token. */
export function admin(server: TestServer) {
  const agent = request(server.http);
  return {
    get: (path: string) => agent.get(path).set('Authorization', ADMIN_AUTH),
    post: (path: string) => agent.post(path).set('Authorization', ADMIN_AUTH),
    put: (path: string) => agent.put(path).set('Authorization', ADMIN_AUTH),
    patch: (path: string) => agent.patch(path).set('Authorization', ADMIN_AUTH),
    delete: (path: string) => agent.delete(path).set('Authorization', ADMIN_AUTH),
  };
}

/** The server's metadata document (what clients may register is bounded by its *_supported lists). */
export async function discoveryDocument(server: TestServer): Promise<Record<string, string[]>> {
  const res = await request(server.http).get(
    `${server.config.issuer.basePath}/.well-known/openid-configuration`,
  );
  if (res.status !== 200) throw new Error(`discovery answered ${res.status}`);
  return res.body;
}
