import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';

import { ClientAuthenticator, GrantType, SCOPE_CLAIM_NAMES, SUPPORTED_SCOPES } from '@app/clients';
import { APP_CONFIG, AppConfig, routeUrl } from '@app/config';
import { ResponseMode } from '@app/errors';
import { ACR_VALUES_SUPPORTED } from '@app/factors';
import { GrantRegistry } from '@app/grants';
import { JoseSupport } from '@app/keys';

/** The metadata document, serialized once, with its ETag. */
export interface MetadataDocument {
  readonly body: string;
  readonly etag: string;
  readonly json: Record<string, unknown>;
}

/** The members of every ID token (OpenID Connect Core §2, §3.1.3.6), `nonce` when the request had one. */
const ID_TOKEN_CLAIMS = [
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'azp',
  'amr',
  'acr',
  'at_hash',
  // Back-Channel Logout 1.0 §2.1: ID tokens from the login page name their session.
  'sid',
];

/**
 * Builds the provider metadata (OpenID Connect Discovery 1.0 §3, RFC 8414 §2) in the member
 * order of the seed document, from what the server actually implements: grant types from the
 * GrantRegistry, client authentication from the ClientAuthenticator, JOSE algorithms from
 * JoseSupport. Nothing here is a literal list of capabilities.
 */
@Injectable()
export class DiscoveryService {
  private cached: MetadataDocument | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly grants: GrantRegistry,
    private readonly clientAuth: ClientAuthenticator,
  ) {}

  document(): MetadataDocument {
    if (!this.cached) {
      const json = this.build();
      const body = JSON.stringify(json);
      this.cached = {
        json,
        body,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
      };
    }
    return this.cached;
  }

  private build(): Record<string, unknown> {
    const c = this.config;
    const grantTypes = this.grants.grantTypes();
    const hasCodeFlow = grantTypes.includes(GrantType.AuthorizationCode);
    const authAlgs = this.clientAuth.signingAlgs();
    return {
      issuer: c.issuer.url,
      authorization_endpoint: routeUrl(c, 'authorization'),
      token_endpoint: routeUrl(c, 'token'),
      userinfo_endpoint: routeUrl(c, 'userinfo'),
      jwks_uri: routeUrl(c, 'jwks'),
      // The seed's legacy alias of the introspection endpoint (ubisecure-notes §1.3).
      tokeninfo_endpoint: routeUrl(c, 'introspection'),
      introspection_endpoint: routeUrl(c, 'introspection'),
      revocation_endpoint: routeUrl(c, 'revocation'),
      response_types_supported: hasCodeFlow ? ['code'] : [],
      grant_types_supported: grantTypes,
      subject_types_supported: ['public'],
      request_object_signing_alg_values_supported: [...JoseSupport.requestObjectSigning],
      request_object_encryption_alg_values_supported: [...JoseSupport.requestObjectEncryptionAlgs],
      request_object_encryption_enc_values_supported: [...JoseSupport.requestObjectEncryptionEncs],
      id_token_signing_alg_values_supported: [...JoseSupport.idTokenSigning],
      id_token_encryption_alg_values_supported: [...JoseSupport.responseEncryptionAlgs],
      id_token_encryption_enc_values_supported: [...JoseSupport.responseEncryptionEncs],
      userinfo_signing_alg_values_supported: [...JoseSupport.userinfoSigning],
      userinfo_encryption_alg_values_supported: [...JoseSupport.responseEncryptionAlgs],
      userinfo_encryption_enc_values_supported: [...JoseSupport.responseEncryptionEncs],
      token_endpoint_auth_methods_supported: this.clientAuth.methods('token'),
      token_endpoint_auth_signing_alg_values_supported: authAlgs,
      introspection_endpoint_auth_methods_supported: this.clientAuth.methods('introspection'),
      introspection_endpoint_auth_signing_alg_values_supported: authAlgs,
      revocation_endpoint_auth_methods_supported: this.clientAuth.methods('revocation'),
      revocation_endpoint_auth_signing_alg_values_supported: authAlgs,
      scopes_supported: [...SUPPORTED_SCOPES],
      // OIDC Discovery §3: every claim a token or UserInfo can carry about the user, and the
      // ID token's own (CONTRACT "Scopes and claims").
      claims_supported: [...ID_TOKEN_CLAIMS, ...SCOPE_CLAIM_NAMES],
      // OpenID Connect Core §5.5.
      claims_parameter_supported: true,
      // OpenID Connect Discovery §3 takes an absent request_uri_parameter_supported as true;
      // request_uri is answered request_uri_not_supported (CONTRACT), so say so.
      request_uri_parameter_supported: false,
      ...(hasCodeFlow
        ? {
            // Core §6.1: request objects by value (absent, Discovery §3 would mean false).
            request_parameter_supported: true,
            code_challenge_methods_supported: ['S256', 'plain'],
            // Beyond the seed, so after its members (OAuth 2.0 Form Post Response Mode §5).
            response_modes_supported: Object.values(ResponseMode),
            // Sessions exist only where the login page does: RP-Initiated Logout 1.0 §2.1 and
            // Back-Channel Logout 1.0 §2.1.
            end_session_endpoint: routeUrl(c, 'logout'),
            backchannel_logout_supported: true,
            backchannel_logout_session_supported: true,
            // CONTRACT §3: a password, or a password and a second factor.
            acr_values_supported: [...ACR_VALUES_SUPPORTED],
          }
        : {}),
    };
  }
}
