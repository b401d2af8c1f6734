import { Controller, Get, Header, Query, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';

import { OAuthError } from '@app/errors';
import { AuditEventRecord, AuditEventRepository } from '@app/persistence';

import { RequiredScope } from './admin-scope';
import { AdminTokenGuard } from './admin-token.guard';
import { AdminValidationPipe } from './admin-validation.pipe';
import { AuditEventQueryDto } from './dto/audit-event-query.dto';
import { PAGE_LIMIT_DEFAULT } from './dto/page-query.dto';

class AuditEventResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ format: 'date-time' }) time: string;
  @ApiProperty({ example: 'signin' }) type: string;
  @ApiPropertyOptional({
    nullable: true,
    description: 'The admin credential: `admin_token` or `api_key:<id>:<name>`.',
  })
  actor: string | null;
  @ApiPropertyOptional({ nullable: true }) subject: string | null;
  @ApiPropertyOptional({ nullable: true }) client_id: string | null;
  @ApiPropertyOptional({ nullable: true }) ip: string | null;
  @ApiProperty({ enum: ['success', 'failure'] }) outcome: string;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Never a secret.' })
  details: Record<string, unknown>;
}

class AuditEventPageResponseDto {
  @ApiProperty({ type: [AuditEventResponseDto] }) items: AuditEventResponseDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;
}

const CURSOR = /^[1-9][0-9]{0,18}$/;

/** CONTRACT §4-§5: the audit record, newest first. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('admin/v1/audit-events')
@UseGuards(AdminTokenGuard)
export class AuditEventsController {
  constructor(private readonly events: AuditEventRepository) {}

  @Get()
  @RequiredScope('audit:read')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Search audit events (filters combine with AND), newest first' })
  @ApiOkResponse({ type: AuditEventPageResponseDto })
  async list(
    @Query(new AdminValidationPipe()) query: AuditEventQueryDto,
  ): Promise<AuditEventPageResponseDto> {
    const limit = query.limit ?? PAGE_LIMIT_DEFAULT;
    const beforeId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await this.events.list({
      type: query.type,
      subject: query.subject,
      clientId: query.client_id,
      since: query.since === undefined ? undefined : new Date(query.since),
      beforeId,
      limit: limit + 1,
    });
    const items = rows.slice(0, limit).map(toResponse);
    const next = rows.length > limit ? encodeCursor(items[items.length - 1].id) : null;
    return { items, next_cursor: next };
  }
}

function toResponse(event: AuditEventRecord): AuditEventResponseDto {
  return {
    id: event.id,
    time: event.time.toISOString(),
    type: event.type,
    actor: event.actor,
    subject: event.subject,
    client_id: event.clientId,
    ip: event.ip,
    outcome: event.outcome,
    details: event.details,
  };
}

function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR.test(id))
    throw new OAuthError('invalid_request', 'The cursor is invalid.', {
      fields: [{ field: 'cursor', problems: ['is not a cursor this API returned'] }],
    });
  return id;
}
