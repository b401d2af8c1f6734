import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, ValidateIf } from 'class-validator';

import { IsUsername, USERNAME_SCHEMA, UserClaimsDto } from './user-create.dto';

/**
 * A change of a user: a new username, a new password and/or claims; a claim set to null is
 * removed. Any member left out stays as it is.
 */
export class UserUpdateDto extends UserClaimsDto {
  @ApiPropertyOptional({
    ...USERNAME_SCHEMA,
    description:
      'A new username: the rules of POST /users, unique in canonical form (NFKC, case-folded), else 409. Not for a user of a directory, whose username follows its entry there.',
  })
  // Absent keeps the username; null is no username, so it is checked (and refused) as a value.
  @ValidateIf((_, value) => value !== undefined)
  @IsUsername()
  username?: string;

  @ApiPropertyOptional({
    minLength: 8,
    maxLength: 128,
    description: 'Not the username. Never returned.',
  })
  @IsOptional()
  @IsString()
  password?: string;
}
