import { ClientCreateDto } from './client-create.dto';

/** PUT replaces the whole metadata (RFC 7592 §2.2): the same members as on create; omitted ones take their defaults. */
export class ClientUpdateDto extends ClientCreateDto {}
