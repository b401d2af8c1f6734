import { Injectable } from '@nestjs/common';

import { Database } from '../database';
import { SettingEntity } from '../entities';

/** Named values the server keeps for itself (e.g. the MASTER_KEY check value). */
@Injectable()
export class SettingRepository {
  constructor(private readonly db: Database) {}

  async findByName(name: string): Promise<string | null> {
    const row = await this.db.use(SettingEntity, (settings) =>
      settings.findOne({ select: { value: true }, where: { name } }),
    );
    return row?.value ?? null;
  }

  /** Stores `value` unless the name exists; returns the value that is stored (one statement: instances racing agree). */
  async createIfAbsent(name: string, value: string): Promise<string> {
    const rows = await this.db.query<{ value: string }>(
      `INSERT INTO settings (name, value) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
       RETURNING value`,
      [name, value],
    );
    return rows[0].value;
  }
}
