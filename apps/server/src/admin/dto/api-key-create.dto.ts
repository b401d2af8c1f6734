import { ApiProperty } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';

import { ADMIN_SCOPES, AdminScope } from '../admin-scope';

/** A new admin API key: a name for people, and the scopes it may use (CONTRACT §4). */
export class ApiKeyCreateDto {
  @ApiProperty({ minLength: 1, maxLength: 256, example: 'provisioning job' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  name: string;

  @ApiProperty({
    enum: ADMIN_SCOPES,
    isArray: true,
    minItems: 1,
    description:
      'admin:read for every GET but the audit events and the API keys; audit:read for the audit events; clients:write for clients and SAML issuers; users:write for users, their sessions and second factors; groups:write; directories:write; keys:write for key rotation. No scope reaches the api-keys routes, which need ADMIN_TOKEN.',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ADMIN_SCOPES.length)
  @IsIn(ADMIN_SCOPES, {
    each: true,
    message: `each of scopes must be one of ${ADMIN_SCOPES.join(', ')}`,
  })
  scopes: AdminScope[];
}
