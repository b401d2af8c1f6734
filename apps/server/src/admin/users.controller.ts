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
  AccountService,
  USER_CLAIM_NAMES,
  UserAccount,
  UserClaims,
  UserClaimsPatch,
  UserGroups,
} from '@app/accounts';
import { OAuthError } from '@app/errors';
import { AuditContext } from '@app/persistence';

import { RequestAuditContext } from '../audit/audit-context';
import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { PAGE_LIMIT_DEFAULT } from './dto/page-query.dto';
import { UserCreateDto } from './dto/user-create.dto';
import { UserImportDto, UserImportItemDto, UserImportResponseDto } from './dto/user-import.dto';
import { UserQueryDto } from './dto/user-query.dto';
import { UserPageResponseDto, UserResponseDto } from './dto/user-response.dto';
import { UserUpdateDto } from './dto/user-update.dto';

const pipe = new AdminValidationPipe();

/** CONTRACT §4: users. The password is write-only. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('admin/v1/users')
@UseGuards(AdminTokenGuard)
export class UsersController {
  constructor(
    private readonly accounts: AccountService,
    private readonly userGroups: UserGroups,
  ) {}

  @Post()
  @Audited('user.created', { response: 'id' })
  @RequiredScope('users:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Create a user' })
  @ApiCreatedResponse({ type: UserResponseDto })
  async create(@Body(pipe) body: UserCreateDto): Promise<Record<string, unknown>> {
    const { username, password } = body;
    return toResponse(
      await this.accounts.create({ username, password, claims: claimsOf(body, false) }),
      [],
    );
  }

  @Post('import')
  @RequiredScope('users:write')
  // Which usernames the import created: the event is the only trace of who they are.
  @Audited('user.imported', null, { unlessBodyFlag: 'dry_run', details: { response: ['results'] } })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Import users with their existing password hashes: all or nothing; dry_run writes nothing',
  })
  @ApiOkResponse({ type: UserImportResponseDto })
  async import(@Body(pipe) body: UserImportDto): Promise<UserImportResponseDto> {
    const results = await this.accounts.importUsers(
      body.users.map((user) => ({
        username: user.username,
        passwordHash: user.password_hash,
        claims: claimsOf(user, false),
      })),
      body.dry_run ?? false,
    );
    return { results: results.map(({ username, status }) => ({ username, status })) };
  }

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'List users, or find one by username (exact, any letter case)' })
  @ApiOkResponse({ type: UserPageResponseDto })
  async list(
    @Query(pipe) query: UserQueryDto,
  ): Promise<{ items: Record<string, unknown>[]; next_cursor: string | null }> {
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const page = await this.accounts.list(limit, query.cursor ?? null, query.username ?? null);
    const groups = await Promise.all(page.items.map((item) => this.userGroups.namesOf(item.id)));
    return {
      items: page.items.map((item, i) => toResponse(item, groups[i])),
      next_cursor: page.nextCursor,
    };
  }

  @Get(':id')
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Read a user' })
  @ApiOkResponse({ type: UserResponseDto })
  async get(@Param('id') id: string): Promise<Record<string, unknown>> {
    const account = await this.accounts.findById(id);
    if (!account) throw notFound();
    return toResponse(account, await this.userGroups.namesOf(account.id));
  }

  @Patch(':id')
  @Audited('user.updated', { param: 'id' })
  @RequiredScope('users:write')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: "Change a user's username, password and/or claims (null removes a claim)",
  })
  @ApiOkResponse({ type: UserResponseDto })
  async patch(
    @Param('id') id: string,
    @Body(pipe) body: UserUpdateDto,
    @RequestAuditContext() source: AuditContext,
  ): Promise<Record<string, unknown>> {
    // A new password ends the user's sessions, and a new username is recorded as user.renamed:
    // their audit events name this credential.
    const account = await this.accounts.patch(
      id,
      {
        username: body.username,
        password: body.password ?? undefined,
        claims: claimsOf(body, true),
      },
      source,
    );
    if (!account) throw notFound();
    return toResponse(account, await this.userGroups.namesOf(account.id));
  }

  @Delete(':id')
  @Audited('user.deleted', { param: 'id' })
  @RequiredScope('users:write')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user; every token issued for it stops working' })
  @ApiNoContentResponse()
  async delete(
    @Param('id') id: string,
    @RequestAuditContext() source: AuditContext,
  ): Promise<void> {
    if (!(await this.accounts.delete(id, source))) throw notFound();
  }
}

function notFound(): OAuthError {
  return new OAuthError('not_found', 'No such user.');
}

/** The claim members present in the body; null only when `keepNull` (on PATCH it removes the claim). */
function claimsOf(body: UserCreateDto | UserImportItemDto, keepNull: false): UserClaims;
function claimsOf(body: UserUpdateDto, keepNull: true): UserClaimsPatch;
function claimsOf(
  body: UserCreateDto | UserImportItemDto | UserUpdateDto,
  keepNull: boolean,
): UserClaimsPatch {
  const source = body as unknown as Record<string, unknown>;
  const present = (name: string) =>
    source[name] !== undefined && (keepNull || source[name] !== null);
  return Object.fromEntries(USER_CLAIM_NAMES.filter(present).map((name) => [name, source[name]]));
}

/** The user as answered; `groups`: the names of its groups (CONTRACT §4). */
function toResponse(account: UserAccount, groups: readonly string[]): Record<string, unknown> {
  const claims = account.claims as Record<string, unknown>;
  return {
    id: account.id,
    username: account.username,
    ...Object.fromEntries(
      USER_CLAIM_NAMES.filter((n) => claims[n] !== undefined).map((n) => [n, claims[n]]),
    ),
    // Only directory users say where they come from; a local user's answer is as it was.
    ...(account.source === 'directory' ? { source: 'directory' } : {}),
    groups,
    created_at: account.createdAt.toISOString(),
    updated_at: account.updatedAt.toISOString(),
  };
}
