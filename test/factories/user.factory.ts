import { randomBytes } from 'node:crypto';

import { admin } from './admin.factory';
import { TestServer } from '../setup/test-server';

/** A user as the admin API answered its creation, plus the password it was created with. */
export interface CreatedUser {
  /** The `sub` of its tokens. */
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly created_at: string;
  readonly updated_at: string;
  readonly [claim: string]: unknown;
}

/** Input of createUser: every member optional; a unique username and a valid password by default. */
export interface UserInput {
  username?: string;
  password?: string;
  email?: string;
  email_verified?: boolean;
  phone_number?: string;
  phone_number_verified?: boolean;
  name?: string;
  given_name?: string;
  family_name?: string;
  /** Any other member of the admin API's user body (Core §5.1 claims such as `address`). */
  [claim: string]: unknown;
}

/**
 * Creates a user through the admin API (POST /admin/v1/users). Throws with the error body when
 * the server refuses it. The answer never has the password; the returned object adds it back.
 */
export async function createUser(server: TestServer, input: UserInput = {}): Promise<CreatedUser> {
  const body = {
    username: `user-${randomBytes(6).toString('hex')}`,
    password: `pw-${randomBytes(12).toString('base64url')}`,
    ...input,
  };
  const res = await admin(server).post('/admin/v1/users').send(body);
  if (res.status !== 201) {
    throw new Error(`createUser: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return { ...res.body, password: body.password } as CreatedUser;
}
