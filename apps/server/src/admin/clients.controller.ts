import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import {
  ClientMetadataSupport,
  clientMetadataSupportFrom,
  ClientMetadataValidator,
  ClientRegistry,
  ClientSummary,
} from '@app/clients';
import { DiscoveryService } from '@app/discovery';
import { OAuthError } from '@app/errors';
import { ClientTokenRevocation } from '@app/tokens';

import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { ClientCreateDto } from './dto/client-create.dto';
import {
  ClientCreatedResponseDto,
  ClientPageResponseDto,
  ClientResponseDto,
  ClientSecretResponseDto,
} from './dto/client-response.dto';
import { ClientUpdateDto } from './dto/client-update.dto';
import { PAGE_LIMIT_DEFAULT, PageQueryDto } from './dto/page-query.dto';

const metadataPipe = new AdminValidationPipe('invalid_client_metadata');
const queryPipe = new AdminValidationPipe();

/** CONTRACT §4: registered clients. Secrets appear only in the create, PUT (when issued) and rotation answers. */
@ApiTags('clients')
@ApiBearerAuth()
@Controller('admin/v1/clients')
@UseGuards(AdminTokenGuard)
export class ClientsController {
  constructor(
    private readonly registry: ClientRegistry,
    private readonly validator: ClientMetadataValidator,
    private readonly discovery: DiscoveryService,
    private readonly revocation: ClientTokenRevocation,
  ) {}

  @Post()
  @Audited('client.created', { response: 'client_id' })
  @RequiredScope('clients:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Register a client' })
  @ApiCreatedResponse({ type: ClientCreatedResponseDto })
  async create(@Body(metadataPipe) body: ClientCreateDto): Promise<Record<string, unknown>> {
    const metadata = this.validator.validate({ ...body }, this.support());
    const { client, secret } = await this.registry.create(metadata);
    return withSecret(toResponse(client), secret);
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List clients' })
  @ApiOkResponse({ type: ClientPageResponseDto })
  async list(
    @Query(queryPipe) query: PageQueryDto,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const page = await this.registry.list(query.limit ?? PAGE_LIMIT_DEFAULT, query.cursor ?? null);
    return { items: page.items.map(toResponse), next_cursor: page.nextCursor };
  }

  @Get(':client_id')
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Read a client (never its secret)' })
  @ApiOkResponse({ type: ClientResponseDto })
  async get(@Param('client_id') clientId: string): Promise<Record<string, unknown>> {
    const client = await this.registry.findById(clientId);
    if (!client) throw notFound();
    return toResponse(client);
  }

  @Put(':client_id')
  @Audited('client.updated', { param: 'client_id' })
  @RequiredScope('clients:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Replace a client's metadata",
    description:
      'Omitted members take their defaults. Moving to a secret-based auth method issues a client_secret, returned once here.',
  })
  @ApiOkResponse({ type: ClientCreatedResponseDto })
  async replace(
    @Param('client_id') clientId: string,
    @Body(metadataPipe) body: ClientUpdateDto,
  ): Promise<Record<string, unknown>> {
    // Unknown client first: a 404 says nothing about the body.
    if (!(await this.registry.findById(clientId))) throw notFound();
    const { client_id: named, client_id_issued_at: _issuedAt, ...members } = body;
    if (named !== undefined && named !== clientId) {
      throw new OAuthError('invalid_client_metadata', 'The client metadata is invalid.', {
        fields: [{ field: 'client_id', problems: ['must be the client_id of the path'] }],
      });
    }
    const metadata = this.validator.validate({ ...members }, this.support());
    const replaced = await this.registry.replace(clientId, metadata);
    if (!replaced) throw notFound();
    return withSecret(toResponse(replaced.client), replaced.secret);
  }

  @Delete(':client_id')
  @Audited('client.deleted', { param: 'client_id' })
  @RequiredScope('clients:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a client; every token issued to it stops working' })
  @ApiNoContentResponse()
  async delete(@Param('client_id') clientId: string): Promise<void> {
    if (!(await this.registry.delete(clientId))) throw notFound();
  }

  @Post(':client_id/secret')
  @Audited('client.secret_rotated', { param: 'client_id' })
  @RequiredScope('clients:write')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Issue a new client secret; the old one stops working at once' })
  @ApiOkResponse({ type: ClientSecretResponseDto })
  async rotateSecret(@Param('client_id') clientId: string): Promise<{ client_secret: string }> {
    const secret = await this.registry.rotateSecret(clientId);
    if (secret === null) throw notFound();
    return { client_secret: secret };
  }

  @Post(':client_id/revoke-tokens')
  @Audited('client.tokens_revoked', { param: 'client_id' })
  @RequiredScope('clients:write')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke every token issued to a client so far',
    description:
      'Access and refresh tokens, client_credentials ones included, are inactive on every instance once this answers; the client stays registered and new tokens work.',
  })
  @ApiNoContentResponse()
  async revokeTokens(@Param('client_id') clientId: string): Promise<void> {
    if (!(await this.revocation.revokeAll(clientId))) throw notFound();
  }

  /** CONTRACT §4: only values of the metadata document's *_supported lists. */
  private support(): ClientMetadataSupport {
    return clientMetadataSupportFrom(this.discovery.document().json);
  }
}

function notFound(): OAuthError {
  return new OAuthError('not_found', 'No such client.');
}

/** The order of RFC 7591 §2 and OIDC Registration §2 (jsonb does not keep the order members were sent in). */
const MEMBER_ORDER = [
  'client_name',
  'redirect_uris',
  'grant_types',
  'response_types',
  'scope',
  'token_endpoint_auth_method',
  'token_endpoint_auth_signing_alg',
  'jwks_uri',
  'jwks',
  'id_token_signed_response_alg',
  'id_token_encrypted_response_alg',
  'id_token_encrypted_response_enc',
  'userinfo_signed_response_alg',
  'userinfo_encrypted_response_alg',
  'userinfo_encrypted_response_enc',
  'request_object_signing_alg',
  'request_object_encryption_alg',
  'request_object_encryption_enc',
];

function toResponse(client: ClientSummary): Record<string, unknown> {
  const metadata = client.metadata as unknown as Record<string, unknown>;
  const ordered = [
    ...MEMBER_ORDER,
    ...Object.keys(metadata).filter((k) => !MEMBER_ORDER.includes(k)),
  ];
  return {
    client_id: client.clientId,
    client_id_issued_at: Math.floor(client.issuedAt.getTime() / 1000),
    ...Object.fromEntries(
      ordered.filter((k) => metadata[k] !== undefined).map((k) => [k, metadata[k]]),
    ),
  };
}

/** RFC 7591 §3.2.1: client_secret_expires_at accompanies an issued secret (0: never expires). */
function withSecret(
  response: Record<string, unknown>,
  secret: string | null,
): Record<string, unknown> {
  if (secret === null) return response;
  const { client_id, client_id_issued_at, ...metadata } = response;
  return {
    client_id,
    client_secret: secret,
    client_id_issued_at,
    client_secret_expires_at: 0,
    ...metadata,
  };
}
