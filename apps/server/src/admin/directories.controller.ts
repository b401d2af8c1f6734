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

import { Directory, DirectoryInput, DirectoryService } from '@app/ldap';
import { AuditContext } from '@app/persistence';

import { RequestAuditContext } from '../audit/audit-context';
import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { DirectoryCreateDto, DirectoryUpdateDto } from './dto/directory-create.dto';
import { DirectoryListResponseDto, DirectoryResponseDto } from './dto/directory-response.dto';

/** CONTRACT §4: the LDAP / Active Directory directories users sign in against. */
@ApiTags('directories')
@ApiBearerAuth()
@Controller('admin/v1/directories')
@UseGuards(AdminTokenGuard)
export class DirectoriesController {
  constructor(private readonly directories: DirectoryService) {}

  @Post()
  @Audited('directory.created', { response: 'id' })
  @RequiredScope('directories:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Connect a directory (LDAP or Active Directory)' })
  @ApiCreatedResponse({ type: DirectoryResponseDto })
  async create(
    @Body(new AdminValidationPipe()) body: DirectoryCreateDto,
  ): Promise<DirectoryResponseDto> {
    return toResponse(await this.directories.create(toInput(body)));
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List the directories in the order sign-in asks them' })
  @ApiOkResponse({ type: DirectoryListResponseDto })
  async list(): Promise<DirectoryListResponseDto> {
    return { items: (await this.directories.list()).map(toResponse) };
  }

  @Get(':id')
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Read a directory (never its bind password)' })
  @ApiOkResponse({ type: DirectoryResponseDto })
  async get(@Param('id') id: string): Promise<DirectoryResponseDto> {
    return toResponse(await this.directories.get(id));
  }

  @Put(':id')
  @Audited('directory.updated', { param: 'id' })
  @RequiredScope('directories:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Replace a directory; bind_password omitted keeps the stored one' })
  @ApiOkResponse({ type: DirectoryResponseDto })
  async replace(
    @Param('id') id: string,
    @Body(new AdminValidationPipe()) body: DirectoryUpdateDto,
  ): Promise<DirectoryResponseDto> {
    return toResponse(await this.directories.replace(id, toInput(body)));
  }

  @Delete(':id')
  @Audited('directory.deleted', { param: 'id' })
  @RequiredScope('directories:write')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Disconnect a directory; the users who signed in through it are deleted',
  })
  @ApiNoContentResponse()
  async delete(
    @Param('id') id: string,
    @RequestAuditContext() source: AuditContext,
  ): Promise<void> {
    // The deleted users' sessions end with logout events naming this credential.
    await this.directories.delete(id, source);
  }
}

function toInput(body: DirectoryCreateDto | DirectoryUpdateDto): DirectoryInput {
  return {
    name: body.name,
    url: body.url,
    startTls: body.start_tls ?? false,
    bindDn: body.bind_dn,
    ...(body.bind_password === undefined ? {} : { bindPassword: body.bind_password }),
    userBaseDn: body.user_base_dn,
    userFilter: body.user_filter,
    attributes: { ...body.attributes },
    groupBaseDn: body.group_base_dn ?? null,
    groupFilter: body.group_filter ?? null,
    memberOfAttribute: body.member_of_attribute ?? null,
    groupNameAttribute: body.group_name_attribute ?? 'cn',
    caCertificate: body.ca_certificate ?? null,
    timeoutMs: body.timeout_ms ?? 3000,
  };
}

function toResponse(directory: Directory): DirectoryResponseDto {
  return {
    id: directory.id,
    name: directory.name,
    url: directory.url,
    start_tls: directory.startTls,
    bind_dn: directory.bindDn,
    user_base_dn: directory.userBaseDn,
    user_filter: directory.userFilter,
    attributes: { ...directory.attributes },
    group_base_dn: directory.groupBaseDn,
    group_filter: directory.groupFilter,
    member_of_attribute: directory.memberOfAttribute,
    group_name_attribute: directory.groupNameAttribute,
    ca_certificate: directory.caCertificate,
    timeout_ms: directory.timeoutMs,
    created_at: directory.createdAt.toISOString(),
    updated_at: directory.updatedAt.toISOString(),
  };
}
