import { CreateSchema1764140000000 } from './1764140000000-create-schema';
import { AddGrantClaims1764150000000 } from './1764150000000-add-grant-claims';
import { AddOtpReferenceHash1764160000000 } from './1764160000000-add-otp-reference-hash';
import { AddAuthorizationCodeBindings1764175000000 } from './1764175000000-add-authorization-code-bindings';
import { AddExpiryIndexes1764190000000 } from './1764190000000-add-expiry-indexes';

/** Every migration, in order. */
export const MIGRATIONS = [CreateSchema1764140000000, AddGrantClaims1764150000000, AddOtpReferenceHash1764160000000, AddAuthorizationCodeBindings1764175000000, AddExpiryIndexes1764190000000];
