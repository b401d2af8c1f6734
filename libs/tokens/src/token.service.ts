import { Injectable } from '@nestjs/common';

import { IssueTokensRequest, TokenResponse } from './token-types';

/** Mints access, ID and refresh tokens; introspects and revokes them. */
@Injectable()
export class TokenService {
  /** Issues the token response for a grant that passed its checks. */
  async issue(request: IssueTokensRequest): Promise<TokenResponse> {
    throw new Error(`not implemented yet: ${request.grantType}`);
  }
}
