import { MigrationInterface, QueryRunner } from 'typeorm';

/** The initial schema: every table the provider needs. */
export class CreateSchema1764140000000 implements MigrationInterface {
  name = 'CreateSchema1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE settings (
        name text PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Signing keys (use 'sig') and the encryption key (use 'enc'). A signing key is
    // published from created_at, signs from activates_at, and stays published until
    // retires_at (set when a newer key activates: its last tokens have expired then).
    await q.query(`
      CREATE TABLE server_keys (
        kid text PRIMARY KEY,
        use text NOT NULL CHECK (use IN ('sig', 'enc')),
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_encrypted text NOT NULL,
        certificate_pem text,
        created_at timestamptz NOT NULL DEFAULT now(),
        activates_at timestamptz NOT NULL,
        retires_at timestamptz
      )`);
    await q.query(`CREATE INDEX server_keys_use_idx ON server_keys (use, activates_at)`);
    await q.query(`
      CREATE TABLE clients (
        client_id uuid PRIMARY KEY,
        metadata jsonb NOT NULL,
        secret_encrypted text,
        secret_hash bytea,
        client_id_issued_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        username text NOT NULL,
        password_hash text NOT NULL,
        claims jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX users_username_key ON users (lower(username))`);
    // A grant is one authorization of a client by a subject: every refresh token and
    // every access token that came from it belongs to it, so revoking it ends them all.
    await q.query(`
      CREATE TABLE grants (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        subject text NOT NULL,
        scope text NOT NULL,
        auth_time timestamptz NOT NULL,
        amr jsonb NOT NULL DEFAULT '[]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE refresh_tokens (
        token_hash bytea PRIMARY KEY,
        grant_id uuid NOT NULL REFERENCES grants (id) ON DELETE CASCADE,
        client_id uuid NOT NULL,
        scope text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    await q.query(`CREATE INDEX refresh_tokens_grant_idx ON refresh_tokens (grant_id)`);
    // Individually revoked access tokens (RFC 7009), kept until they would have expired.
    await q.query(`
      CREATE TABLE revoked_access_tokens (
        jti text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE login_sessions (
        id_hash bytea PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        auth_time timestamptz NOT NULL,
        amr jsonb NOT NULL DEFAULT '["pwd"]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE authorization_codes (
        code_hash bytea PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        redirect_uri text NOT NULL,
        scope text NOT NULL,
        nonce text,
        code_challenge text,
        code_challenge_method text,
        auth_time timestamptz NOT NULL,
        amr jsonb NOT NULL DEFAULT '["pwd"]'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        grant_id uuid
      )`);
    // Single-use identifiers: client-assertion and request-object jti, SAML assertion ID.
    await q.query(`
      CREATE TABLE used_identifiers (
        namespace text NOT NULL,
        value text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (namespace, value)
      )`);
    await q.query(`CREATE INDEX used_identifiers_expires_idx ON used_identifiers (expires_at)`);
    await q.query(`
      CREATE TABLE saml_issuers (
        id uuid PRIMARY KEY,
        entity_id text NOT NULL UNIQUE,
        certificates jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE otp_challenges (
        id uuid PRIMARY KEY,
        client_id uuid NOT NULL REFERENCES clients (client_id) ON DELETE CASCADE,
        grant_type text NOT NULL,
        username text NOT NULL,
        code_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz
      )`);
    // Fixed-window counters (login failures, OTP sends), updated in one statement.
    await q.query(`
      CREATE TABLE rate_limits (
        bucket text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        count integer NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'rate_limits',
      'otp_challenges',
      'saml_issuers',
      'used_identifiers',
      'authorization_codes',
      'login_sessions',
      'revoked_access_tokens',
      'refresh_tokens',
      'grants',
      'users',
      'clients',
      'server_keys',
      'settings',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
