import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { AppConfig, ConfigError } from '@app/config';

import { generateMasterKey } from './tokens';

/**
 * MASTER_KEY, or in embedded mode the key kept in DATA_DIR/master.key (created on first
 * start with mode 0600). loadConfig() already requires MASTER_KEY with DATABASE_URL.
 */
export function loadMasterKey(config: AppConfig): string {
  if (config.masterKey) return config.masterKey;
  if (config.database.url)
    throw new ConfigError(['MASTER_KEY: is required when DATABASE_URL is set']);
  const file = path.resolve(config.database.dataDir, 'master.key');
  mkdirSync(path.dirname(file), { recursive: true });
  try {
    // 'wx' fails if the file exists, so two processes never overwrite each other's key.
    writeFileSync(file, `${generateMasterKey()}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const key = readFileSync(file, 'utf8').trim();
  if (!/^[A-Za-z0-9_-]{43}$/.test(key)) {
    throw new ConfigError([`MASTER_KEY: ${file} does not hold a 32-byte base64url key`]);
  }
  return key;
}
