import { ApiProperty } from '@nestjs/swagger';

import { DirectoryAttributesDto } from './directory-create.dto';

/** A directory; its bind password is never returned. */
export class DirectoryResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() url: string;
  @ApiProperty() start_tls: boolean;
  @ApiProperty() bind_dn: string;
  @ApiProperty() user_base_dn: string;
  @ApiProperty() user_filter: string;
  @ApiProperty({ type: DirectoryAttributesDto }) attributes: DirectoryAttributesDto;
  @ApiProperty({ nullable: true, type: String }) group_base_dn: string | null;
  @ApiProperty({ nullable: true, type: String }) group_filter: string | null;
  @ApiProperty({ nullable: true, type: String }) member_of_attribute: string | null;
  @ApiProperty() group_name_attribute: string;
  @ApiProperty({ nullable: true, type: String }) ca_certificate: string | null;
  @ApiProperty() timeout_ms: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** Every directory, in creation order (the order sign-in asks them in). */
export class DirectoryListResponseDto {
  @ApiProperty({ type: [DirectoryResponseDto] }) items: DirectoryResponseDto[];
}
