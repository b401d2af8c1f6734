import { OAuthError } from '@app/errors';

/**
 * A strict mock of `T`: every method is a `jest.fn()` that throws when called without a stub,
 * so a test states each collaboration it relies on (`mock.findById.mockResolvedValue(x)`).
 * Plain properties may be assigned (`mock.name = 'x'`).
 */
export function mockOf<T extends object>(): jest.Mocked<T> {
  const members = new Map<PropertyKey, unknown>();
  return new Proxy({} as jest.Mocked<T>, {
    get(_target, property) {
      // Not a thenable, not an asymmetric matcher, nothing for Jest's printers to find.
      if (typeof property === 'symbol' || NOT_MOCKED.has(property)) return undefined;
      if (!members.has(property)) {
        members.set(
          property,
          jest.fn((): never => {
            throw new Error(`mockOf: ${property}() was called but not stubbed`);
          }),
        );
      }
      return members.get(property);
    },
    set(_target, property, value) {
      members.set(property, value);
      return true;
    },
  });
}

const NOT_MOCKED = new Set([
  'then',
  'asymmetricMatch',
  'toJSON',
  'nodeType',
  '$$typeof',
  'constructor',
]);

/** The OAuthError `promise` rejects with; fails the test when it resolves or rejects otherwise. */
export async function caught(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected an OAuthError');
}
