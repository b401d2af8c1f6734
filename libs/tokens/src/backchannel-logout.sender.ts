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
/** Jobs one pass claims (and posts concurrently). */
const BATCH = 20;
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
  private running: Promise<void> | null = null;
  private again = false;
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
    // A post in flight finishes (or times out) before the database goes away.
    await this.running;
  }

  /** Runs a pass now, or right after the one running. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Claims and sends due jobs until none is left. */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        const now = this.clock.now();
        const { jobs, pending } = await this.queue.claimDue(
          now,
          new Date(now.getTime() + LEASE_MS),
          BATCH,
        );
        this.pending = pending;
        this.failing = false;
        if (jobs.length === 0 || this.stopped) return;
        await Promise.all(jobs.map((job) => this.send(job)));
        if (jobs.length < BATCH) return;
      }
    } catch (error) {
      // The database is away: the jobs wait in it, and the next poll tries again. Said once.
      if (!this.failing) this.logger.warn(`cannot read the logout queue: ${message(error)}`);
      this.failing = true;
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
