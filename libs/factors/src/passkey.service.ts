import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from '@simplewebauthn/server';

import { APP_CONFIG, AppConfig, Clock } from '@app/config';
import { UsedIdentifierRepository, UserFactorRepository } from '@app/persistence';

import { FactorType } from './factor.service';

/** How long a ceremony's challenge may be answered (it rides in a form of the same lifetime). */
const CHALLENGE_TTL_SECONDS = 10 * 60;
/** Where spent challenges are recorded, so each is answered once on any instance. */
const CHALLENGE_NAMESPACE = 'webauthn_challenge';

/** The options a browser's navigator.credentials call takes, as JSON, and their challenge. */
export interface PasskeyCeremony {
  readonly optionsJson: string;
  readonly challenge: string;
}

/**
 * Passkeys (WebAuthn Level 3, through @simplewebauthn/server): registration by a signed-in
 * user, and sign-in with one as the second factor. The relying party is the issuer's host and
 * origin. Each challenge is answered once (recorded in used_identifiers before the check), and
 * a use is accepted only when the signature counter moved on (§6.1.1, one UPDATE).
 */
@Injectable()
export class PasskeyService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly factors: UserFactorRepository,
    private readonly usedIdentifiers: UsedIdentifierRepository,
  ) {}

  /** True when the user has a passkey. */
  async hasPasskey(userId: string): Promise<boolean> {
    return (await this.factors.findByUser(userId)).some((f) => f.type === FactorType.Passkey);
  }

  /** Options for navigator.credentials.create() for `user`, none of their passkeys again. */
  async registrationCeremony(user: { id: string; username: string }): Promise<PasskeyCeremony> {
    const existing = await this.passkeysOf(user.id);
    const options = await generateRegistrationOptions({
      rpName: this.rpId(),
      rpID: this.rpId(),
      userName: user.username,
      userID: new TextEncoder().encode(user.id),
      attestationType: 'none',
      excludeCredentials: existing.map((f) => ({ id: f.credentialId })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
    });
    return { optionsJson: JSON.stringify(options), challenge: options.challenge };
  }

  /** Stores the passkey the browser made for `challenge`; false when anything is wrong. */
  async register(userId: string, challenge: string, responseJson: string): Promise<boolean> {
    const response = parseJson(responseJson);
    if (!response || !(await this.spend(challenge))) return false;
    try {
      const verified = await verifyRegistrationResponse({
        // The browser's JSON, checked member by member by the library.
        response: response as unknown as Parameters<
          typeof verifyRegistrationResponse
        >[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: this.origin(),
        expectedRPID: this.rpId(),
        requireUserVerification: false,
      });
      if (!verified.verified || !verified.registrationInfo) return false;
      const { credential } = verified.registrationInfo;
      return this.factors.createPasskey({
        id: randomUUID(),
        userId,
        credentialId: credential.id,
        publicKey: Buffer.from(credential.publicKey),
        signCount: credential.counter,
        createdAt: this.clock.now(),
      });
    } catch {
      return false;
    }
  }

  /** Options for navigator.credentials.get() naming the user's passkeys. */
  async authenticationCeremony(userId: string): Promise<PasskeyCeremony> {
    const options = await generateAuthenticationOptions({
      rpID: this.rpId(),
      allowCredentials: (await this.passkeysOf(userId)).map((f) => ({ id: f.credentialId })),
      userVerification: 'preferred',
    });
    return { optionsJson: JSON.stringify(options), challenge: options.challenge };
  }

  /** True when the browser signed `challenge` with one of the user's passkeys, once. */
  async authenticate(userId: string, challenge: string, responseJson: string): Promise<boolean> {
    const response = parseJson(responseJson);
    if (!response || typeof response.id !== 'string' || !(await this.spend(challenge)))
      return false;
    const factor = (await this.passkeysOf(userId)).find((f) => f.credentialId === response.id);
    if (!factor) return false;
    try {
      const verified = await verifyAuthenticationResponse({
        response: response as unknown as Parameters<
          typeof verifyAuthenticationResponse
        >[0]['response'],
        expectedChallenge: challenge,
        expectedOrigin: this.origin(),
        expectedRPID: this.rpId(),
        credential: {
          id: factor.credentialId,
          publicKey: new Uint8Array(factor.publicKey),
          counter: factor.signCount,
        },
        requireUserVerification: false,
      });
      if (!verified.verified) return false;
      return this.factors.usePasskey(
        factor.id,
        verified.authenticationInfo.newCounter,
        this.clock.now(),
      );
    } catch {
      return false;
    }
  }

  private async passkeysOf(
    userId: string,
  ): Promise<{ id: string; credentialId: string; publicKey: Buffer; signCount: number }[]> {
    const records = await this.factors.findByUser(userId);
    return records.flatMap((f) =>
      f.type === FactorType.Passkey && f.credentialId && f.publicKey
        ? [
            {
              id: f.id,
              credentialId: f.credentialId,
              publicKey: f.publicKey,
              signCount: f.signCount ?? 0,
            },
          ]
        : [],
    );
  }

  /** Records the challenge as answered; false when it was answered before. */
  private spend(challenge: string): Promise<boolean> {
    const now = this.clock.now();
    return this.usedIdentifiers.claim(
      CHALLENGE_NAMESPACE,
      challenge,
      new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
      now,
    );
  }

  /** WebAuthn §5.1.2: the relying party id is the issuer's host name. */
  private rpId(): string {
    return new URL(this.config.issuer.url).hostname;
  }

  private origin(): string {
    return new URL(this.config.issuer.url).origin;
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
