import { createHash, createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';

import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';

import { APP_CONFIG, AppConfig, Clock, ConfigError } from '@app/config';
import { DecryptionError, MasterKeyCipher } from '@app/crypto';
import { OAuthError } from '@app/errors';
import {
  ServerKeyRecord,
  ServerKeyRepository,
  SettingRepository,
  Transaction,
} from '@app/persistence';

import { certificateMembers, generateRsaKey, PublicJwk } from './key-material';
import { decodeJws, signRs256, verifyRs256 } from './jws';

/** Where a key is in its life: published before it signs, then signing, then published only to verify. */
export type KeyStatus = 'next' | 'active' | 'previous' | 'retired';

/** A key as the admin API lists it. */
/**
 * A key as the admin API lists it (CONTRACT §4: "public JWKs with kid, use, alg, status"): the
 * public JWK's own members, so an item imports as a JWK as it is, then its status and times;
 * `jwk` repeats the JWK alone, as earlier answers had it.
 */
export interface KeySummary extends PublicJwk {
  kid: string;
  use: 'sig' | 'enc';
  alg: string;
  status: KeyStatus;
  jwk: PublicJwk;
  created_at: string;
  activates_at: string;
  retires_at: string | null;
}

/** The JWKS serialized once per key set, with a strong ETag of exactly those bytes. */
export interface JwksDocument {
  readonly body: string;
  readonly etag: string;
}

interface LoadedKey {
  record: ServerKeyRecord;
  publicJwk: PublicJwk;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

const SIGNING_ALG = 'RS256';
const ENCRYPTION_ALG = 'RSA-OAEP';
const MASTER_KEY_CHECK = 'master_key_check';
const CHECK_PLAINTEXT = 'uas master key check';
/** Every instance re-reads the key table this often, so a rotation reaches all of them. */
const CACHE_SECONDS = 5;
/** JWTs whose signature was verified, remembered per instance (a resource server asks again and again). */
const VERIFIED_LIMIT = 5_000;
/** The least time between two reloads of the key set for a kid this instance does not know. */
const UNKNOWN_KID_RELOAD_MS = 1_000;

type VerifiedJws = {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
};

/**
 * The server's keys: created once on first start (whatever the number of instances), used to
 * sign and verify our JWTs, published as a JWKS, rotated without restart.
 */
@Injectable()
export class KeyStore implements OnModuleInit {
  private readonly logger = new Logger('Keys');
  private loaded: LoadedKey[] = [];
  private loadedAt = -Infinity;
  private loading: Promise<void> | null = null;
  private jwksDocumentCache: JwksDocument | null = null;
  /** The active signing key and the interval in which it stays the active one (until a reload). */
  private activeCache: { key: LoadedKey; fromMs: number; untilMs: number } | null = null;
  /** Token → verified header and claims; emptied whenever the set of published keys changes. */
  private readonly verified = new Map<string, VerifiedJws>();
  /** When `verify` last reloaded the key set for a kid it did not know (performance.now()). */
  private unknownKidReloadAt = -Infinity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly cipher: MasterKeyCipher,
    private readonly keys: ServerKeyRepository,
    private readonly settings: SettingRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.checkMasterKey();
    await this.keys.withBootstrapLock(async (tx) => {
      const published = await this.keys.findPublished(this.clock.now(), tx);
      const now = this.clock.now();
      if (!published.some((k) => k.use === 'sig')) await this.createKey('sig', now, tx);
      if (!published.some((k) => k.use === 'enc')) await this.createKey('enc', now, tx);
    });
    await this.reload();
  }

  /** The JWKS document: every published key, public members only. */
  async jwks(): Promise<{ keys: PublicJwk[] }> {
    await this.fresh();
    const withCert = this.config.keys.metadataCertificate;
    return {
      keys: this.loaded.map(({ publicJwk, record }) =>
        withCert && record.certificatePem
          ? { ...publicJwk, ...certificateMembers(record.certificatePem) }
          : publicJwk,
      ),
    };
  }

  /** The JWKS as served: serialized once per key set (every reload that changes nothing keeps it). */
  async jwksDocument(): Promise<JwksDocument> {
    await this.fresh();
    if (!this.jwksDocumentCache) {
      const body = JSON.stringify(await this.jwks());
      this.jwksDocumentCache = {
        body,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      };
    }
    return this.jwksDocumentCache;
  }

  /**
   * The JWKS document when it is built and no reload of the key set is due, else null (the
   * caller then takes `jwksDocument`, which reloads): lets a request be answered synchronously.
   */
  currentJwksDocument(): JwksDocument | null {
    if (this.clock.nowSeconds() - this.loadedAt >= CACHE_SECONDS) return null;
    return this.jwksDocumentCache;
  }

  /** Signs a JWT with the active signing key (RS256); `typ` per the token kind (e.g. at+jwt). */
  async sign(payload: Record<string, unknown>, typ = 'JWT'): Promise<string> {
    const key = await this.activeSigningKey();
    return signRs256({ alg: SIGNING_ALG, typ, kid: key.record.kid }, payload, key.privateKey);
  }

  /**
   * Verifies a JWT we signed: RS256 only (RFC 8725 §3.1), by a published signing key named
   * by `kid`. Returns header and claims, or null. Checks no claims.
   */
  async verify(token: string): Promise<VerifiedJws | null> {
    await this.fresh();
    // The same bytes verified by the same key set give the same answer: only successes are kept.
    const known = this.verified.get(token);
    if (known) return known;
    const jws = decodeJws(token);
    if (!jws || jws.header.alg !== SIGNING_ALG || typeof jws.header.kid !== 'string') return null;
    const kid = jws.header.kid;
    let key = this.signingKeyNamed(kid);
    if (!key && performance.now() - this.unknownKidReloadAt >= UNKNOWN_KID_RELOAD_MS) {
      // A key another instance created a moment ago (a rotation with activate_in_seconds 0)
      // signs there at once, while this instance's key set is up to CACHE_SECONDS old: look
      // once more. At most once a second, so made-up kids cost at most one read a second.
      this.unknownKidReloadAt = performance.now();
      await this.reload();
      key = this.signingKeyNamed(kid);
    }
    if (!key || !verifyRs256(jws.signingInput, jws.signature, key.publicKey)) return null;
    const result: VerifiedJws = Object.freeze({
      header: Object.freeze(jws.header),
      payload: Object.freeze(jws.payload),
    });
    if (this.verified.size >= VERIFIED_LIMIT)
      this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, result);
    return result;
  }

  private signingKeyNamed(kid: string): LoadedKey | undefined {
    return this.loaded.find((k) => k.record.kid === kid && k.record.use === 'sig');
  }

  /** The private key that decrypts JWEs sent to us (request objects), and its kid. */
  async decryptionKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    await this.fresh();
    const key = this.loaded.filter((k) => k.record.use === 'enc').at(-1);
    if (!key) throw new OAuthError('server_error', 'No encryption key is available.');
    return { kid: key.record.kid, privateKey: key.privateKey };
  }

  /**
   * Creates a new signing key, published now and signing after `activateInSeconds` (the
   * configured lead time by default, so caches of the JWKS learn it first). Older signing
   * keys stay published until every token they signed has expired.
   */
  async rotate(activateInSeconds = this.config.keys.rotationLeadSeconds): Promise<KeySummary> {
    const now = this.clock.now();
    const activatesAt = new Date(now.getTime() + activateInSeconds * 1000);
    const kid = await this.keys.withBootstrapLock(async (tx) => {
      const created = await this.createKey('sig', activatesAt, tx);
      // A rotation still in its lead time is overtaken by this one (an emergency rotation with
      // activate_in_seconds 0 right after a scheduled one, say): its key never signs.
      await this.keys.retireUnstartedSigningKeysExcept(created, now, tx);
      const longestTokenSeconds = Math.max(
        this.config.tokens.accessTokenTtlSeconds,
        this.config.tokens.idTokenTtlSeconds,
      );
      await this.keys.scheduleRetirementOfSigningKeysExcept(
        created,
        new Date(activatesAt.getTime() + (longestTokenSeconds + 60) * 1000),
        tx,
      );
      return created;
    });
    await this.reload();
    const summary = (await this.list()).find((k) => k.kid === kid);
    if (!summary) throw new OAuthError('server_error', 'The new key was not stored.');
    return summary;
  }

  /** Every key ever created, with its status at this moment. */
  async list(): Promise<KeySummary[]> {
    const now = this.clock.now();
    const records = await this.keys.findAll();
    const active = this.pickActive(
      records.filter((r) => r.use === 'sig'),
      now,
    );
    return records.map((r) => ({
      ...(r.publicJwk as unknown as PublicJwk),
      kid: r.kid,
      use: r.use,
      alg: r.alg,
      status: statusOf(r, active?.kid, now),
      jwk: r.publicJwk as unknown as PublicJwk,
      created_at: r.createdAt.toISOString(),
      activates_at: r.activatesAt.toISOString(),
      retires_at: r.retiresAt ? r.retiresAt.toISOString() : null,
    }));
  }

  private async activeSigningKey(): Promise<LoadedKey> {
    await this.fresh();
    const now = this.clock.now();
    const nowMs = now.getTime();
    const cached = this.activeCache;
    if (cached && nowMs >= cached.fromMs && nowMs < cached.untilMs) return cached.key;
    const signing = this.loaded.filter((k) => k.record.use === 'sig');
    const record = this.pickActive(
      signing.map((k) => k.record),
      now,
    );
    const key = record && this.loaded.find((k) => k.record.kid === record.kid);
    if (!key) throw new OAuthError('server_error', 'No signing key is active.');
    // The answer holds until the next activation or retirement of a signing key (or a reload).
    const times = signing.flatMap((k) => [
      k.record.activatesAt.getTime(),
      k.record.retiresAt?.getTime() ?? Infinity,
    ]);
    this.activeCache = {
      key,
      fromMs: Math.max(-Infinity, ...times.filter((t) => t <= nowMs)),
      untilMs: Math.min(Infinity, ...times.filter((t) => t > nowMs)),
    };
    return key;
  }

  /** The newest signing key whose activation time has come. */
  private pickActive(records: ServerKeyRecord[], now: Date): ServerKeyRecord | undefined {
    return records
      .filter((r) => r.activatesAt <= now && (!r.retiresAt || r.retiresAt > now))
      .sort(
        (a, b) =>
          a.activatesAt.getTime() - b.activatesAt.getTime() ||
          a.createdAt.getTime() - b.createdAt.getTime(),
      )
      .at(-1);
  }

  private async fresh(): Promise<void> {
    if (this.clock.nowSeconds() - this.loadedAt < CACHE_SECONDS) return;
    await this.reload();
  }

  private reload(): Promise<void> {
    this.loading ??= (async () => {
      try {
        const now = this.clock.now();
        const records = await this.keys.findPublished(now);
        this.activeCache = null;
        if (!sameKeys(this.loaded, records)) {
          this.loaded = records.map((record) => this.load(record));
          this.jwksDocumentCache = null;
          this.verified.clear();
        } else {
          // Same keys: keep the parsed key objects, take the rows' current times (retirement).
          this.loaded = this.loaded.map((key, i) => ({ ...key, record: records[i] }));
        }
        this.loadedAt = this.clock.nowSeconds();
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  private load(record: ServerKeyRecord): LoadedKey {
    const pem = this.cipher.decryptString(record.privateKeyEncrypted, `server_key:${record.kid}`);
    const privateKey = createPrivateKey(pem);
    const j = record.publicJwk as unknown as PublicJwk;
    // jsonb does not keep member order; publish in a readable one.
    const publicJwk: PublicJwk = { kty: 'RSA', use: j.use, kid: j.kid, alg: j.alg, n: j.n, e: j.e };
    return { record, publicJwk, privateKey, publicKey: createPublicKey(privateKey) };
  }

  private async createKey(use: 'sig' | 'enc', activatesAt: Date, tx: Transaction): Promise<string> {
    const alg = use === 'sig' ? SIGNING_ALG : ENCRYPTION_ALG;
    const generated = await generateRsaKey(use, alg, new URL(this.config.issuer.url).hostname);
    await this.keys.create(
      {
        kid: generated.kid,
        use,
        alg,
        publicJwk: generated.publicJwk as unknown as Record<string, unknown>,
        privateKeyEncrypted: this.cipher.encrypt(
          generated.privateKeyPem,
          `server_key:${generated.kid}`,
        ),
        certificatePem: generated.certificatePem,
        activatesAt,
      },
      tx,
    );
    this.logger.log(
      `created ${use} key ${generated.kid}, active from ${activatesAt.toISOString()}`,
    );
    return generated.kid;
  }

  /** A wrong MASTER_KEY against an existing database stops the start, before any key is read. */
  private async checkMasterKey(): Promise<void> {
    const stored = await this.settings.createIfAbsent(
      MASTER_KEY_CHECK,
      this.cipher.encrypt(CHECK_PLAINTEXT, MASTER_KEY_CHECK),
    );
    try {
      if (this.cipher.decryptString(stored, MASTER_KEY_CHECK) === CHECK_PLAINTEXT) return;
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
    }
    throw new ConfigError(['MASTER_KEY: does not match the key this database was created with']);
  }
}

/** True when `records` are the keys already loaded, in the same order (nothing to parse again). */
function sameKeys(loaded: LoadedKey[], records: ServerKeyRecord[]): boolean {
  return (
    loaded.length === records.length && loaded.every((key, i) => key.record.kid === records[i].kid)
  );
}

function statusOf(record: ServerKeyRecord, activeKid: string | undefined, now: Date): KeyStatus {
  if (record.retiresAt && record.retiresAt <= now) return 'retired';
  if (record.use === 'enc') return 'active';
  if (record.kid === activeKid) return 'active';
  return record.activatesAt > now ? 'next' : 'previous';
}
