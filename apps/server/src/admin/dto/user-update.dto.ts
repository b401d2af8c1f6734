import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';

import { UserClaimsDto } from './user-create.dto';

/** A change of a user: a new password and/or claims; a claim set to null is removed. The username stays. */
export class UserUpdateDto extends UserClaimsDto {
  @ApiPropertyOptional({
    minLength: 8,
    maxLength: 128,
    description: 'Not the username. Never returned.',
  })
  @IsOptional()
  @IsString()
  password?: string;
}
