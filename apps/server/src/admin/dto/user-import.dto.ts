import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';

import { IsUsername, USERNAME_SCHEMA, UserClaimsDto } from './user-create.dto';

export const IMPORT_MAX_USERS = 1000;

/** One imported user: as for POST /users, with the hash the user had elsewhere instead of a password. */
export class UserImportItemDto extends UserClaimsDto {
  @ApiProperty(USERNAME_SCHEMA)
  @IsUsername()
  username: string;

  @ApiProperty({
    maxLength: 1024,
    description:
      'argon2 PHC ($argon2id$…, also $argon2i$/$argon2d$), bcrypt ($2a$/$2b$/$2y$) or passlib pbkdf2-sha256 ($pbkdf2-sha256$rounds$salt$hash). Replaced by the server’s argon2id at the first sign-in. Never returned.',
  })
  @IsString()
  @MaxLength(1024)
  password_hash: string;
}

/** CONTRACT §4 users/import: all-or-nothing, or a dry run. */
export class UserImportDto {
  @ApiProperty({ type: [UserImportItemDto], minItems: 1, maxItems: IMPORT_MAX_USERS })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(IMPORT_MAX_USERS)
  @ValidateNested({ each: true })
  @Type(() => UserImportItemDto)
  users: UserImportItemDto[];

  @ApiPropertyOptional({ default: false, description: 'Check everything, write nothing.' })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

/** One user's outcome. */
export class UserImportResultDto {
  @ApiProperty()
  username: string;

  @ApiProperty({ enum: ['created', 'would_create'] })
  status: string;
}

/** The outcome of an import, one result per user in order. */
export class UserImportResponseDto {
  @ApiProperty({ type: [UserImportResultDto] })
  results: UserImportResultDto[];
}
