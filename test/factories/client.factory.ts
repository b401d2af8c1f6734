import { admin } from './admin.factory';
import { TestServer } from '../setup/test-server';

/** A registered client as the admin API answered its creation. */
export interface CreatedClient {
  readonly client_id: string;
  /** Absent for token_endpoint_auth_method none and private_key_jwt. */
  readonly client_secret?: string;
  readonly client_id_issued_at: number;
  readonly redirect_uris: string[];
  readonly grant_types: string[];
  readonly response_types: string[];
  readonly token_endpoint_auth_method: string;
  readonly [member: string]: unknown;
}

/**
 * Registers a client through the admin API (POST /admin/v1/clients) and returns the answer.
 * `metadata` is sent as is (RFC 7591 names); pass `grant_types` explicitly, e.g.
 * `createClient(server, { grant_types: ['client_credentials'] })`. Throws with the error body
 * when the server refuses it, so a test fails at the cause.
 */
export async function createClient(
  server: TestServer,
  metadata: Record<string, unknown> = {},
): Promise<CreatedClient> {
  const res = await admin(server).post('/admin/v1/clients').send(metadata);
  if (res.status !== 201) {
    throw new Error(
      `createClient: ${res.status} ${JSON.stringify(res.body)} for ${JSON.stringify(metadata)}`,
    );
  }
  return res.body as CreatedClient;
}

/** HTTP Basic credentials of a client (RFC 6749 §2.3.1: form-urlencoded id and secret). */
export function basicAuth(client: { client_id: string; client_secret?: string }): string {
  const encode = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(client.client_secret ?? '')}`).toString('base64')}`;
}
