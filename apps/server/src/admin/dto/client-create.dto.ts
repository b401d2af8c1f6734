import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';

const URI_MAX = 2048;
const ALG_MAX = 64;
const ALG_DOC = (list: string) => `One of the metadata document's ${list}.`;

/**
 * Client metadata, RFC 7591 §2 and OpenID Connect Dynamic Client Registration §2 names
 * (CONTRACT §4). Shapes are checked here; the rules (supported values, consistency) are
 * ClientMetadataValidator's. null is the same as leaving a member out.
 */
export class ClientCreateDto {
  @ApiPropertyOptional({ maxLength: 256 })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  client_name?: string;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Absolute URLs of at most 2,000 characters without fragment, userinfo, wildcard, or code/state/error/iss in the query; https, or http on 127.0.0.1, [::1] or localhost. Default [].',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(URI_MAX, { each: true })
  redirect_uris?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: `${ALG_DOC('grant_types_supported')} Default ["authorization_code"].`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(256, { each: true })
  grant_types?: string[];

  @ApiPropertyOptional({
    type: [String],
    description: `${ALG_DOC('response_types_supported')} Default ["code"] with authorization_code, else [].`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  response_types?: string[];

  @ApiPropertyOptional({
    description: 'Space-separated values of scopes_supported; absent allows every scope.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  scope?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('token_endpoint_auth_methods_supported')} Default client_secret_basic.`,
    example: 'client_secret_basic',
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  token_endpoint_auth_method?: string;

  @ApiPropertyOptional({ description: ALG_DOC('token_endpoint_auth_signing_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  token_endpoint_auth_signing_alg?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'JWK Set of public keys, {"keys": [...]}; not together with jwks_uri.',
  })
  @IsOptional()
  @IsObject()
  jwks?: { keys: Record<string, unknown>[] };

  @ApiPropertyOptional({
    description:
      'https URL (http on a loopback host for development), not a link-local or cloud-metadata host; not together with jwks.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  jwks_uri?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('id_token_signing_alg_values_supported')} Default RS256.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  id_token_signed_response_alg?: string;

  @ApiPropertyOptional({ description: ALG_DOC('id_token_encryption_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  id_token_encrypted_response_alg?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('id_token_encryption_enc_values_supported')} Needs the alg.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  id_token_encrypted_response_enc?: string;

  @ApiPropertyOptional({ description: ALG_DOC('userinfo_signing_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  userinfo_signed_response_alg?: string;

  @ApiPropertyOptional({ description: ALG_DOC('userinfo_encryption_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  userinfo_encrypted_response_alg?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('userinfo_encryption_enc_values_supported')} Needs the alg.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  userinfo_encrypted_response_enc?: string;

  @ApiPropertyOptional({ description: ALG_DOC('request_object_signing_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  request_object_signing_alg?: string;

  @ApiPropertyOptional({ description: ALG_DOC('request_object_encryption_alg_values_supported') })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  request_object_encryption_alg?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('request_object_encryption_enc_values_supported')} Needs the alg.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  request_object_encryption_enc?: string;

  @ApiPropertyOptional({
    description: `${ALG_DOC('code_challenge_methods_supported')} With it every authorization request must use PKCE; plain is accepted only from a client that registered it.`,
  })
  @IsOptional()
  @IsString()
  @MaxLength(ALG_MAX)
  code_challenge_method?: string;

  @ApiPropertyOptional({
    description:
      'Extension. Whether the ID token carries the claims its scopes release (OpenID Connect Core §5.4); default true. False leaves them to UserInfo, except claims the `claims` request parameter asks for in the ID token.',
    default: true,
  })
  @IsOptional()
  @IsBoolean()
  id_token_claims?: boolean;

  @ApiPropertyOptional({
    type: [String],
    description:
      'RP-Initiated Logout 1.0 §3.1: where the logout endpoint may send the browser afterwards (compared exactly). Absolute URLs without fragment; https, or http on a loopback host.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(URI_MAX, { each: true })
  post_logout_redirect_uris?: string[];

  @ApiPropertyOptional({
    description:
      'Back-Channel Logout 1.0 §2.2: the URL logout tokens are posted to when a session the client took tokens in ends; https, or http on a loopback host.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(URI_MAX)
  backchannel_logout_uri?: string;

  @ApiPropertyOptional({
    description:
      'Back-Channel Logout 1.0 §2.2: whether the client needs `sid` in logout tokens (they always carry it). Default false.',
  })
  @IsOptional()
  @IsBoolean()
  backchannel_logout_session_required?: boolean;

  @ApiPropertyOptional({
    description:
      'Extension: the login page asks every user of this client for a second factor after the password, and the password grant refuses them. Default false.',
  })
  @IsOptional()
  @IsBoolean()
  require_mfa?: boolean;

  @ApiPropertyOptional({
    type: [String],
    maxItems: 100,
    description:
      'The groups whose members may use the client (names, any letter case); absent or empty: every user. A user in none of them gets access_denied at the authorization endpoint and invalid_grant at the token endpoint.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(256, { each: true })
  allowed_groups?: string[];
}
