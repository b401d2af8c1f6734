import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Post,
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

import { Audited } from '../audit/audited';
import { ADMIN_TOKEN_ONLY, RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { ApiKey, ApiKeyService } from './api-key.service';
import { ApiKeyCreateDto } from './dto/api-key-create.dto';
import {
  ApiKeyCreatedResponseDto,
  ApiKeyListResponseDto,
  ApiKeyResponseDto,
} from './dto/api-key-response.dto';

/**
 * CONTRACT §4: admin API keys. Managed with ADMIN_TOKEN only, so no key can mint or remove a
 * key, let alone one broader than itself.
 */
@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('admin/v1/api-keys')
@UseGuards(AdminTokenGuard)
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeyService) {}

  @Post()
  // The scopes granted, and the name they go by; never the key itself.
  @Audited('api_key.created', { response: 'id' }, { details: { response: ['name', 'scopes'] } })
  @RequiredScope(ADMIN_TOKEN_ONLY)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create an API key; the key is in this answer only' })
  @ApiCreatedResponse({ type: ApiKeyCreatedResponseDto })
  async create(
    @Body(new AdminValidationPipe()) body: ApiKeyCreateDto,
  ): Promise<ApiKeyCreatedResponseDto> {
    const { apiKey, key } = await this.apiKeys.create(body.name, body.scopes);
    return { ...toResponse(apiKey), key };
  }

  @Get()
  @RequiredScope(ADMIN_TOKEN_ONLY)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List the API keys (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyListResponseDto })
  async list(): Promise<ApiKeyListResponseDto> {
    return { items: (await this.apiKeys.list()).map(toResponse) };
  }

  @Delete(':id')
  @Audited('api_key.deleted', { param: 'id' })
  @RequiredScope(ADMIN_TOKEN_ONLY)
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it is refused at once on every instance' })
  @ApiNoContentResponse()
  async delete(@Param('id') id: string): Promise<void> {
    await this.apiKeys.delete(id);
  }
}

function toResponse(apiKey: ApiKey): ApiKeyResponseDto {
  return {
    id: apiKey.id,
    name: apiKey.name,
    scopes: apiKey.scopes,
    created_at: apiKey.createdAt.toISOString(),
  };
}
