import { createHmac } from 'node:crypto';

import { Injectable } from '@nestjs/common';

import { MasterKeyCipher } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { samlSubjectSource, SubjectRepository } from '@app/persistence';

// Users' and clients' ids, their subs (client_credentials: RFC 9068 §2.2), are UUIDs. A value of
// that shape could equal one now or a new one later, so it never becomes a sub as it is.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The external identity sources whose values become subs. */
export const SubjectSource = {
  /** A trusted SAML issuer, by its entity ID (it survives the issuer's re-registration). */
  saml: samlSubjectSource,
  /** An OTP channel (`sms`, `email`): the address it verified. */
  otp: (channel: string) => `otp:${channel}`,
} as const;

/**
 * OpenID Connect Core §2 (CONTRACT "Subjects"): a sub names one person at this issuer. The
 * first source to present a value keeps it as its sub; a value another source already holds,
 * or one shaped like a user or client id, gets a sub of its own instead, derived from source
 * and value. Every answer is recorded, so it stays the same on every instance and restart.
 */
@Injectable()
export class SubjectRegistry {
  private readonly derivationKey: Buffer;

  constructor(
    private readonly subjects: SubjectRepository,
    cipher: MasterKeyCipher,
  ) {
    this.derivationKey = cipher.deriveKey('subject');
  }

  /** The sub for the value `externalId` that `source` (see SubjectSource) presented. */
  async subjectFor(source: string, externalId: string): Promise<string> {
    const known = await this.subjects.findSub(source, externalId);
    if (known !== null) return known;
    if (!UUID.test(externalId)) {
      const natural = await this.subjects.claim(externalId, source, externalId);
      if (natural !== null) return natural;
    }
    const derived = await this.subjects.claim(this.derive(source, externalId), source, externalId);
    if (derived !== null) return derived;
    // Only a value equal to this HMAC, presented first by another source, gets here: refused.
    throw new OAuthError('invalid_grant', 'The subject cannot be given a unique identifier.', {
      detail: `derived sub of ${source} already held by another source`,
    });
  }

  /**
   * A sub of its own for (source, value): an HMAC under a MASTER_KEY-derived key, so every
   * instance derives the same one and no one can compute it ahead and present it first.
   */
  private derive(source: string, externalId: string): string {
    return createHmac('sha256', this.derivationKey)
      .update(`${source}\0${externalId}`)
      .digest('base64url');
  }
}
