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
      since: query.since === undefined ? undefined : parseSince(query.since),
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

/** The largest id a bigint column holds: a longer cursor is none this API returned. */
const MAX_ID = 2n ** 63n - 1n;

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR.test(id) || BigInt(id) > MAX_ID)
    throw new OAuthError('invalid_request', 'The cursor is invalid.', {
      fields: [{ field: 'cursor', problems: ['is not a cursor this API returned'] }],
    });
  return id;
}

/**
 * An RFC 3339 date-time that names an instant JavaScript can hold: the syntax check lets
 * through a leap second (`:60`), which Date cannot represent, and a day the month does not
 * have (`02-31`), which Date would quietly move into the next month.
 */
function parseSince(value: string): Date {
  const date = new Date(value);
  const [, year, month, day] = /^(\d{4})-(\d{2})-(\d{2})/.exec(value) ?? [];
  const calendar = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  const exists =
    calendar.getUTCFullYear() === Number(year) &&
    calendar.getUTCMonth() === Number(month) - 1 &&
    calendar.getUTCDate() === Number(day);
  if (Number.isNaN(date.getTime()) || !exists)
    throw new OAuthError('invalid_request', 'since is not a date-time this server can read.', {
      fields: [
        {
          field: 'since',
          problems: ['must be an RFC 3339 date-time of an existing day, without a leap second'],
        },
      ],
    });
  return date;
}
