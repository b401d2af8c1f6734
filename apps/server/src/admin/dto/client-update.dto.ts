import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

import { ClientCreateDto } from './client-create.dto';

/**
 * PUT replaces the whole metadata (RFC 7592 §2.2): the same members as on create; omitted ones
 * take their defaults. What GET answers can be sent back as it is: `client_id` must then be the
 * path's (RFC 7592 §2.2), and `client_id_issued_at` is the server's and ignored.
 */
export class ClientUpdateDto extends ClientCreateDto {
  @ApiPropertyOptional({ description: "The path's client_id, when sent (RFC 7592 §2.2)." })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  client_id?: string;

  @ApiPropertyOptional({ description: 'Ignored: set by the server at registration.' })
  @IsOptional()
  @IsInt()
  @Min(0)
  client_id_issued_at?: number;
}
