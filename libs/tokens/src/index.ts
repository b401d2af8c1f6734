/** Token issuance, introspection and revocation. */
export { TokensModule } from './tokens.module';
export { TokenService } from './token.service';
export type { IssueTokensRequest, TokenResponse } from './token-types';
