import { RateLimitRepository } from './rate-limit.repository';
import { ServerKeyRepository } from './server-key.repository';
import { SettingRepository } from './setting.repository';
import { UsedIdentifierRepository } from './used-identifier.repository';

/** Every repository; PersistenceModule provides and exports them all. Add new ones here. */
export const REPOSITORIES = [SettingRepository, ServerKeyRepository, RateLimitRepository, UsedIdentifierRepository];

export { RateLimitRepository, ServerKeyRepository, SettingRepository, UsedIdentifierRepository };
export type { RateWindow } from './rate-limit.repository';
export type { ServerKeyRecord } from './server-key.repository';
