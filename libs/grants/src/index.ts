/** Grant handlers and the registry that resolves grant_type to one of them. */
export { GrantsModule } from './grants.module';
export { GrantRegistry } from './grant-registry';
export type {
  GrantHandler,
  OtpChallengeResponse,
  TokenEndpointResult,
  TokenParams,
  TokenRequest,
} from './grant-handler';
/** The parameter's value or invalid_request. */
export { requireParam } from './grant-handler';
