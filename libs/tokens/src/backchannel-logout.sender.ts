import { randomUUID } from 'node:crypto';

import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';

import { ClientRegistry, OutboundHttpClient, RegisteredClient } from '@app/clients';
import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { Metrics } from '@app/observability';
import { BackchannelLogoutJob, BackchannelLogoutRepository } from '@app/persistence';

import { ClientResponseProtector } from './client-response-protector';

/** Back-Channel Logout 1.0 §2.4: the event that makes a JWT a logout token. */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** Back-Channel Logout 1.0 §2.4: explicit typing (RFC 8725 §3.11). */
export const LOGOUT_TOKEN_TYP = 'logout+jwt';

/** Every instance looks for due jobs this often; an enqueue on this instance wakes it at once. */
const POLL_MS = 1_000;
/**
 * Posts in flight at once on this instance. Each job holds its own slot until its post ends, and
 * a freed slot claims the next due job at once: an RP that stalls for the whole timeout holds up
 * its own posts, never another RP's.
 */
const SLOTS = 20;
/** One post may take this long (name lookup, connection, answer) before it counts as failed. */
const POST_TIMEOUT_MS = 5_000;
/** A claimed job comes due again after this, should the instance sending it die mid-way. */
const LEASE_MS = 60_000;
/** Tries before a job is abandoned: about 45 minutes with the backoff below. */
export const MAX_ATTEMPTS = 12;
/** A logout token is good for two minutes (it is minted afresh at every attempt). */
const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** An RP answers 200 with an empty body (§2.8); anything larger is not read. */
const MAX_ANSWER_BYTES = 16 * 1024;

/** Seconds before the next try after `attempts` failed ones: 2, 4, 8, … capped at 15 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(2 ** Math.max(1, attempts), 15 * 60);
}

/**
 * Delivers the queued logout tokens (Back-Channel Logout 1.0 §2.5-§2.8): a POST of
 * `logout_token` to each client's backchannel_logout_uri through the OutboundHttpClient (its
 * address rules, no redirects, a deadline), retried with exponential backoff until the RP
 * answers 200 (or 204), then forgotten. The queue is in PostgreSQL and every instance runs a
 * sender, so neither a restart nor the loss of an instance loses a logout; the browser that
 * ended the session never waits for any of this.
 */
@Injectable()
export class BackchannelLogoutSender implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BackchannelLogout');
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private claiming: Promise<void> | null = null;
  private again = false;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private failing = false;
  /** Jobs waiting on every instance, as the last poll counted them. */
  private pending: number | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly queue: BackchannelLogoutRepository,
    private readonly clients: ClientRegistry,
    private readonly outbound: OutboundHttpClient,
    private readonly protector: ClientResponseProtector,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    this.metrics.observeBackchannelQueue(() => this.pending);
    this.unsubscribe = this.queue.onWake(() => this.kick());
    this.timer = setInterval(() => this.kick(), POLL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.unsubscribe?.();
    // Every claimed job is posted, and every post finishes (or times out) before the database
    // goes away: a job claimed and left unsent would lose an attempt and wait out its lease.
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
  }

  /** Claims due jobs for the free slots now, or right after the claim under way. */
  kick(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    this.claiming = this.claim().finally(() => {
      this.claiming = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Claims as many due jobs as slots are free, and starts each post; a finished one kicks. */
  private async claim(): Promise<void> {
    const free = SLOTS - this.inFlight.size;
    if (free <= 0) return;
    let jobs: BackchannelLogoutJob[];
    try {
      const now = this.clock.now();
      const claimed = await this.queue.claimDue(now, new Date(now.getTime() + LEASE_MS), free);
      this.pending = claimed.pending;
      this.failing = false;
      jobs = claimed.jobs;
    } catch (error) {
      // The database is away: the jobs wait in it, and the next poll tries again. Said once.
      if (!this.failing) this.logger.warn(`cannot read the logout queue: ${message(error)}`);
      this.failing = true;
      return;
    }
    for (const job of jobs) {
      const posting: Promise<void> = this.send(job)
        .catch((error: unknown) => {
          // The post's outcome could not be written: the job comes due again after its lease.
          this.logger.warn(`cannot record a logout delivery: ${message(error)}`);
        })
        .finally(() => {
          this.inFlight.delete(posting);
          this.kick();
        });
      this.inFlight.add(posting);
    }
  }

  private async send(job: BackchannelLogoutJob): Promise<void> {
    const client = await this.clients.findById(job.clientId);
    const uri = client?.metadata.backchannel_logout_uri;
    // Deleted, or no longer asks for logouts: nothing to deliver.
    if (!client || !uri) return this.queue.remove(job.id);
    const started = performance.now();
    let failure: string | null = null;
    try {
      const response = await this.outbound.send(uri, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ logout_token: await this.logoutToken(client, job) }).toString(),
        timeoutMs: POST_TIMEOUT_MS,
        maxBodyBytes: MAX_ANSWER_BYTES,
      });
      // §2.8: 200 on success; 204 is what many frameworks answer for an empty body.
      if (response.status !== 200 && response.status !== 204)
        failure = `answered HTTP ${response.status}`;
    } catch (error) {
      failure = message(error);
    }
    const seconds = (performance.now() - started) / 1000;
    if (failure === null) {
      this.metrics.countBackchannelDelivery('delivered', seconds);
      return this.queue.remove(job.id);
    }
    if (job.attempts >= MAX_ATTEMPTS) {
      this.metrics.countBackchannelDelivery('abandoned', seconds);
      this.logger.warn(
        `logout of session ${job.sid} not delivered to client ${job.clientId} after ${job.attempts} attempts: ${failure}`,
      );
      return this.queue.remove(job.id);
    }
    this.metrics.countBackchannelDelivery('retried', seconds);
    const delay = backoffSeconds(job.attempts);
    this.logger.log(
      `logout of session ${job.sid} to client ${job.clientId} failed (${failure}); retry in ${delay} s`,
    );
    await this.queue.retryAt(job.id, new Date(this.clock.now().getTime() + delay * 1000), failure);
  }

  /**
   * Back-Channel Logout 1.0 §2.4: iss, aud, iat, exp, jti, events, sub and sid, never a nonce;
   * signed (and encrypted, when the client registered it) as the client's ID tokens are.
   */
  private logoutToken(client: RegisteredClient, job: BackchannelLogoutJob): Promise<string> {
    const iat = this.clock.nowSeconds();
    const m = client.metadata;
    return this.protector.protect(
      client,
      {
        iss: this.config.issuer.url,
        sub: job.subject,
        aud: client.clientId,
        iat,
        exp: iat + LOGOUT_TOKEN_TTL_SECONDS,
        jti: randomUUID(),
        events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
        sid: job.sid,
      },
      {
        signAlg: m.id_token_signed_response_alg ?? 'RS256',
        encAlg: m.id_token_encrypted_response_alg,
        encEnc: m.id_token_encrypted_response_enc,
        typ: LOGOUT_TOKEN_TYP,
      },
    );
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
