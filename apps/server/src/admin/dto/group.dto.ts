import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

// As usernames: no leading or trailing white space, no control characters.
const GROUP_NAME = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
export const GROUP_NAME_MAX = 256;
const NAME_MESSAGE = 'name must not start or end with white space nor contain control characters';

/** A new group (CONTRACT §4): its name is unique in canonical form (NFKC, case-folded). */
export class GroupCreateDto {
  @ApiProperty({ minLength: 1, maxLength: GROUP_NAME_MAX, example: 'Finance' })
  @IsString()
  @MinLength(1)
  @MaxLength(GROUP_NAME_MAX)
  @Matches(GROUP_NAME, { message: NAME_MESSAGE })
  name: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;

  @ApiPropertyOptional({
    default: false,
    description: 'Members are asked for a second factor at sign-in.',
  })
  @IsOptional()
  @IsBoolean()
  require_mfa?: boolean;
}

/** A change of a group: any of its members; `description: null` removes the description. */
export class GroupUpdateDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: GROUP_NAME_MAX })
  @ValidateIf((o: GroupUpdateDto) => o.name !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(GROUP_NAME_MAX)
  @Matches(GROUP_NAME, { message: NAME_MESSAGE })
  name?: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 1024 })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  description?: string | null;

  @ApiPropertyOptional()
  @ValidateIf((o: GroupUpdateDto) => o.require_mfa !== undefined)
  @IsBoolean()
  require_mfa?: boolean;
}

/** A group as answered. */
export class GroupResponseDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  name: string;

  @ApiProperty({ type: String, nullable: true })
  description: string | null;

  @ApiProperty()
  require_mfa: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

/** One page of groups. */
export class GroupPageResponseDto {
  @ApiProperty({ type: [GroupResponseDto] })
  items: GroupResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last.',
  })
  next_cursor: string | null;
}
