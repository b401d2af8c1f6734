import { ApiProperty } from '@nestjs/swagger';

import { ADMIN_SCOPES, AdminScope } from '../admin-scope';

/** An admin API key, without the key. */
export class ApiKeyResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ enum: ADMIN_SCOPES, isArray: true })
  scopes: AdminScope[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;
}

/** A new API key with the key itself: shown only in this answer. */
export class ApiKeyCreatedResponseDto extends ApiKeyResponseDto {
  @ApiProperty({ description: 'uas_ak_… bearer for the admin API; shown only here.' })
  key: string;
}

/** Every API key, oldest first. */
export class ApiKeyListResponseDto {
  @ApiProperty({ type: [ApiKeyResponseDto] })
  items: ApiKeyResponseDto[];
}
