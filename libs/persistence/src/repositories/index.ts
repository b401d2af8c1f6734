import { ServerKeyRepository } from './server-key.repository';
import { SettingRepository } from './setting.repository';

/** Every repository; PersistenceModule provides and exports them all. */
export const REPOSITORIES = [SettingRepository, ServerKeyRepository];

export { ServerKeyRepository, SettingRepository };
export type { ServerKeyRecord } from './server-key.repository';
