import { Injectable } from '@nestjs/common';

import { RegisteredClient } from './client';

/** Registered clients: create, read, replace, delete, rotate secret. */
@Injectable()
export class ClientRegistry {
  /** The client, with its secret decrypted, or null. Never cached across a delete or secret rotation. */
  async findById(clientId: string): Promise<RegisteredClient | null> {
    void clientId;
    return null;
  }
}
