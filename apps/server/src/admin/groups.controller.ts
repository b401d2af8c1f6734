import {
  Body,
  Controller,
  Delete,
  Get,
  Header,
  HttpCode,
  Param,
  Patch,
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

import { Group, GroupService } from '@app/accounts';
import { OAuthError } from '@app/errors';

import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import {
  GroupCreateDto,
  GroupPageResponseDto,
  GroupResponseDto,
  GroupUpdateDto,
} from './dto/group.dto';
import { PAGE_LIMIT_DEFAULT, PageQueryDto } from './dto/page-query.dto';

const pipe = new AdminValidationPipe();

/** CONTRACT §4: groups and their members. A user's groups show on the user. */
@ApiTags('groups')
@ApiBearerAuth()
@Controller('admin/v1/groups')
@UseGuards(AdminTokenGuard)
export class GroupsController {
  constructor(private readonly groups: GroupService) {}

  @Post()
  @RequiredScope('groups:write')
  @Audited('group.created', { response: 'id' })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a group (a name taken in any letter case is 409)' })
  @ApiCreatedResponse({ type: GroupResponseDto })
  async create(@Body(pipe) body: GroupCreateDto): Promise<Record<string, unknown>> {
    return toResponse(
      await this.groups.create({
        name: body.name,
        description: body.description ?? null,
        requireMfa: body.require_mfa ?? false,
      }),
    );
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List groups by name' })
  @ApiOkResponse({ type: GroupPageResponseDto })
  async list(
    @Query(pipe) query: PageQueryDto,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const page = await this.groups.list(query.limit ?? PAGE_LIMIT_DEFAULT, query.cursor ?? null);
    return { items: page.items.map(toResponse), next_cursor: page.nextCursor };
  }

  @Get(':id')
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Read a group' })
  @ApiOkResponse({ type: GroupResponseDto })
  async get(@Param('id') id: string): Promise<Record<string, unknown>> {
    const group = await this.groups.findById(id);
    if (!group) throw notFound();
    return toResponse(group);
  }

  @Patch(':id')
  @RequiredScope('groups:write')
  @Audited('group.updated', { param: 'id' })
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Rename a group or change its description or require_mfa' })
  @ApiOkResponse({ type: GroupResponseDto })
  async patch(
    @Param('id') id: string,
    @Body(pipe) body: GroupUpdateDto,
  ): Promise<Record<string, unknown>> {
    const group = await this.groups.patch(id, {
      name: body.name,
      description: body.description,
      requireMfa: body.require_mfa,
    });
    if (!group) throw notFound();
    return toResponse(group);
  }

  @Delete(':id')
  @RequiredScope('groups:write')
  @Audited('group.deleted', { param: 'id' })
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a group and its memberships' })
  @ApiNoContentResponse()
  async delete(@Param('id') id: string): Promise<void> {
    if (!(await this.groups.delete(id))) throw notFound();
  }

  @Put(':id/members/:userId')
  @RequiredScope('groups:write')
  @Audited('group.member_added', { param: 'userId' }, { details: { params: { group_id: 'id' } } })
  @HttpCode(204)
  @ApiOperation({ summary: 'Make a user a member (idempotent); 404 for an unknown group or user' })
  @ApiNoContentResponse()
  async addMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    if (!(await this.groups.addMember(id, userId))) throw memberNotFound();
  }

  @Delete(':id/members/:userId')
  @RequiredScope('groups:write')
  @Audited('group.member_removed', { param: 'userId' }, { details: { params: { group_id: 'id' } } })
  @HttpCode(204)
  @ApiOperation({ summary: 'End a membership (idempotent); 404 for an unknown group or user' })
  @ApiNoContentResponse()
  async removeMember(@Param('id') id: string, @Param('userId') userId: string): Promise<void> {
    if (!(await this.groups.removeMember(id, userId))) throw memberNotFound();
  }
}

function notFound(): OAuthError {
  return new OAuthError('not_found', 'No such group.');
}

function memberNotFound(): OAuthError {
  return new OAuthError('not_found', 'No such group or user.');
}

function toResponse(group: Group): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    require_mfa: group.requireMfa,
    created_at: group.createdAt.toISOString(),
    updated_at: group.updatedAt.toISOString(),
  };
}
