import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { UserClaimsDto } from './user-create.dto';

/** A user: id (the `sub`), username, claims; never the password. */
export class UserResponseDto extends UserClaimsDto {
  @ApiProperty({ format: 'uuid', description: "The subject (sub) of the user's tokens." })
  id: string;

  @ApiProperty()
  username: string;

  @ApiPropertyOptional({
    enum: ['directory'],
    description:
      'Present on users who sign in through an LDAP directory, which keeps their claims.',
  })
  source?: 'directory';
  @ApiProperty({ type: [String], description: "The names of the user's groups, sorted." })
  groups: string[];

  @ApiProperty({ format: 'date-time' })
  created_at: string;

  @ApiProperty({ format: 'date-time' })
  updated_at: string;
}

/** One page of users. */
export class UserPageResponseDto {
  @ApiProperty({ type: [UserResponseDto] })
  items: UserResponseDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null on the last.',
  })
  next_cursor: string | null;
}
