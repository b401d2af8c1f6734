import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { ClientCreateDto } from './client-create.dto';

/** A registered client: its metadata with the defaults applied, never its secret. */
export class ClientResponseDto extends ClientCreateDto {
  @ApiProperty({ format: 'uuid' })
  client_id: string;

  @ApiProperty({ description: 'Seconds since the epoch (RFC 7591 §3.2.1).' })
  client_id_issued_at: number;
}

/** The answer to a registration: the client and, for methods that use one, its secret (shown only here). */
export class ClientCreatedResponseDto extends ClientResponseDto {
  @ApiPropertyOptional({
    description: '256 random bits, base64url. Shown only here and on rotation.',
  })
  client_secret?: string;

  @ApiPropertyOptional({ description: '0: the secret does not expire (RFC 7591 §3.2.1).' })
  client_secret_expires_at?: number;
}

/** A new client secret; the previous one stopped working. */
export class ClientSecretResponseDto {
  @ApiProperty({ description: '256 random bits, base64url.' })
  client_secret: string;
}

/** One page of clients. */
export class ClientPageResponseDto {
  @ApiProperty({ type: [ClientResponseDto] })
  items: ClientResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last.',
  })
  next_cursor: string | null;
}
