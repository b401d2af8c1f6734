import { CreateSchema1764140000000 } from './1764140000000-create-schema';

/** Every migration, in order. */
export const MIGRATIONS = [CreateSchema1764140000000];
