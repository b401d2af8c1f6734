import { Controller, Delete, Get, Header, HttpCode, Param, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTags,
} from '@nestjs/swagger';

import { AccountService } from '@app/accounts';
import { LoginSessionService } from '@app/authorization';
import { OAuthError } from '@app/errors';
import { AuditContext } from '@app/persistence';

import { RequestAuditContext } from '../audit/audit-context';
import { Audited } from '../audit/audited';
import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';

/** One live browser session (CONTRACT §4). */
class SessionResponseDto {
  @ApiProperty({ format: 'uuid', description: 'The session id: `sid` in ID and logout tokens.' })
  id: string;
  @ApiProperty({ format: 'date-time' })
  created_at: string;
  @ApiProperty({ format: 'date-time', description: 'When the user last signed in in it.' })
  auth_time: string;
  @ApiProperty({ format: 'date-time' })
  expires_at: string;
  @ApiProperty({ type: [String], description: 'client_ids that took tokens in it.' })
  clients: string[];
}

class SessionListResponseDto {
  @ApiProperty({ type: [SessionResponseDto] })
  items: SessionResponseDto[];
}

/** CONTRACT §4: a user's browser sessions, and ending them all. */
@ApiTags('users')
@ApiBearerAuth()
@Controller('admin/v1/users/:id/sessions')
@UseGuards(AdminTokenGuard)
export class UserSessionsController {
  constructor(
    private readonly accounts: AccountService,
    private readonly sessions: LoginSessionService,
  ) {}

  @Get()
  @RequiredScope('admin:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: "List a user's live sessions" })
  @ApiOkResponse({ type: SessionListResponseDto })
  async list(@Param('id') id: string): Promise<{ items: SessionResponseDto[] }> {
    if (!(await this.accounts.findById(id))) throw notFound();
    const sessions = await this.sessions.listForUser(id);
    return {
      items: sessions.map((s) => ({
        id: s.sid,
        created_at: s.createdAt.toISOString(),
        auth_time: s.authTime.toISOString(),
        expires_at: s.expiresAt.toISOString(),
        clients: s.clients,
      })),
    };
  }

  @Delete()
  @Audited('user.sessions_ended', { param: 'id' })
  @RequiredScope('users:write')
  @HttpCode(204)
  @ApiOperation({
    summary:
      'End every session of the user: every token issued to them is revoked, and the clients that registered a backchannel_logout_uri get logout tokens',
  })
  @ApiNoContentResponse()
  async endAll(
    @Param('id') id: string,
    @RequestAuditContext() source: AuditContext,
  ): Promise<void> {
    if (!(await this.accounts.findById(id))) throw notFound();
    // Each session's logout event names the administrator's credential as its actor.
    await this.sessions.endAllForUser(id, source);
  }
}

function notFound(): OAuthError {
  return new OAuthError('not_found', 'No such user.');
}
