import { Injectable } from '@nestjs/common';

import { hashToken, randomToken } from '@app/crypto';
import { OAuthError } from '@app/errors';
import { ApiKeyRecord, ApiKeyRepository } from '@app/persistence';

import { AdminScope } from './admin-scope';

/** Leaked keys are recognisable by secret scanners (like GitHub's `ghp_`): `uas_ak_` + 256 bits. */
export const API_KEY_PREFIX = 'uas_ak_';

export type ApiKey = Omit<ApiKeyRecord, 'scopes'> & { scopes: AdminScope[] };

/**
 * Admin API keys (CONTRACT §4): minted here, shown once, stored as their SHA-256 digest. No
 * cache: every admin request looks its key up (one indexed read), so a deleted key stops
 * working at once on every instance.
 */
@Injectable()
export class ApiKeyService {
  constructor(private readonly keys: ApiKeyRepository) {}

  async create(name: string, scopes: AdminScope[]): Promise<{ apiKey: ApiKey; key: string }> {
    const key = API_KEY_PREFIX + randomToken(32);
    const record = await this.keys.create({
      name,
      scopes: [...new Set(scopes)],
      keyHash: hashToken(key),
    });
    return { apiKey: record as ApiKey, key };
  }

  async list(): Promise<ApiKey[]> {
    return (await this.keys.findAll()) as ApiKey[];
  }

  async delete(id: string): Promise<void> {
    if (!(await this.keys.delete(id))) throw new OAuthError('not_found', 'No such API key.');
  }

  /** The key's record, or null for anything that is not a live key (no database read for non-keys). */
  async authenticate(presented: string): Promise<ApiKey | null> {
    if (!presented.startsWith(API_KEY_PREFIX)) return null;
    return (await this.keys.findByHash(hashToken(presented))) as ApiKey | null;
  }
}
