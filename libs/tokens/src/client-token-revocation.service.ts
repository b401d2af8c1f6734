import { Injectable } from '@nestjs/common';

import { Clock } from '@app/config';
import {
  AuthorizationCodeRepository,
  ClientRepository,
  Database,
  GrantRepository,
} from '@app/persistence';

/**
 * CONTRACT §4 `POST /admin/v1/clients/{client_id}/revoke-tokens`: every token issued to a client
 * so far becomes inactive at once, on every instance, and the client stays registered.
 */
@Injectable()
export class ClientTokenRevocation {
  constructor(
    private readonly clock: Clock,
    private readonly db: Database,
    private readonly clients: ClientRepository,
    private readonly grants: GrantRepository,
    private readonly codes: AuthorizationCodeRepository,
  ) {}

  /**
   * One transaction: a new token generation ends the access tokens minted so far, grantless
   * client_credentials ones included (token-generation.ts); revoked grants end the refresh
   * tokens and refuse their refresh (RFC 6749 §5.2 invalid_grant); unredeemed authorization
   * codes go, so none mints a token afterwards. Answers once every instance has dropped what it
   * cached (both updates notify). False, and nothing changed, when there is no such client.
   */
  async revokeAll(clientId: string): Promise<boolean> {
    const now = this.clock.now();
    const revoked = await this.db.transaction(async (tx) => {
      if (!(await this.clients.startTokenGeneration(clientId, tx))) return false;
      await this.grants.revokeByClient(clientId, now, tx);
      await this.codes.deleteUnredeemedByClient(clientId, tx);
      return true;
    });
    if (revoked) await this.db.propagateChanges();
    return revoked;
  }
}
