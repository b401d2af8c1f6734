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

import { SamlIssuer, SamlIssuerService } from '@app/saml';

import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { SamlIssuerCreateDto } from './dto/saml-issuer-create.dto';
import { SamlIssuerListResponseDto, SamlIssuerResponseDto } from './dto/saml-issuer-response.dto';

/** CONTRACT §4: the SAML issuers whose assertions the saml2-bearer grant trusts. */
@ApiTags('saml-issuers')
@ApiBearerAuth()
@Controller('admin/v1/saml-issuers')
@UseGuards(AdminTokenGuard)
export class SamlIssuersController {
  constructor(private readonly issuers: SamlIssuerService) {}

  @Post()
  @Audited('saml_issuer.created', { response: 'id' })
  @RequiredScope('clients:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Trust a SAML issuer (entityID and signing certificates)' })
  @ApiCreatedResponse({ type: SamlIssuerResponseDto })
  async create(
    @Body(new AdminValidationPipe()) body: SamlIssuerCreateDto,
  ): Promise<SamlIssuerResponseDto> {
    return toResponse(
      await this.issuers.create({ entityId: body.entity_id, certificates: body.certificates }),
    );
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List the trusted SAML issuers' })
  @ApiOkResponse({ type: SamlIssuerListResponseDto })
  async list(): Promise<SamlIssuerListResponseDto> {
    return { items: (await this.issuers.list()).map(toResponse) };
  }

  @Delete(':id')
  @Audited('saml_issuer.deleted', { param: 'id' })
  @RequiredScope('clients:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Stop trusting a SAML issuer; its assertions are refused at once' })
  @ApiNoContentResponse()
  async delete(@Param('id') id: string): Promise<void> {
    await this.issuers.delete(id);
  }
}

function toResponse(issuer: SamlIssuer): SamlIssuerResponseDto {
  return {
    id: issuer.id,
    entity_id: issuer.entityId,
    certificates: issuer.certificates,
    created_at: issuer.createdAt.toISOString(),
  };
}
