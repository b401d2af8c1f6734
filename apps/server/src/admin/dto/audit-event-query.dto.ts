import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsRFC3339, IsString, MaxLength } from 'class-validator';

import { PageQueryDto } from './page-query.dto';

/** Audit events: filters (all optional, combined with AND) and cursor pagination, newest first. */
export class AuditEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Event type, e.g. `signin`, `client.created`.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;

  @ApiPropertyOptional({
    description: 'Subject: a user id, client_id or other id the event is about.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  subject?: string;

  @ApiPropertyOptional({ description: 'The client the event concerns.' })
  @IsOptional()
  @IsString()
  @MaxLength(256)
  client_id?: string;

  @ApiPropertyOptional({ description: 'RFC 3339 time: only events at or after it.' })
  @IsOptional()
  @IsRFC3339()
  since?: string;
}
