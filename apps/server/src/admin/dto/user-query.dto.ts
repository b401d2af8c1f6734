import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

import { PageQueryDto } from './page-query.dto';

/** Users list: cursor pagination and an exact, case-insensitive username filter. */
export class UserQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Exact username, any letter case.' })
  @IsOptional() @IsString() @MaxLength(254)
  username?: string;
}
