import { randomUUID } from 'node:crypto';

/** Response header that names the request in the logs (CONTRACT §5). */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * What a proxy or client may send as a request id and we keep: UUIDs, ULIDs, trace ids and the
 * like. Anything else (a list, spaces, control or quote characters, a long value) is replaced,
 * so an id never splits a log line or carries someone's payload into it.
 */
const WELL_FORMED = /^[A-Za-z0-9._:+=/-]{1,128}$/;

/** The incoming X-Request-Id when well-formed, else a new UUID. */
export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && WELL_FORMED.test(incoming) ? incoming : randomUUID();
}
