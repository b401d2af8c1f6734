import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';

import { FieldProblem, OAuthError } from '@app/errors';

type AdminValidationCode = 'invalid_request' | 'invalid_client_metadata';

/**
 * Validates an admin request body or query against its DTO (CONTRACT §4): unknown fields are
 * rejected, not ignored; nothing is converted implicitly, so `"5"` is not a number. Failures are
 * `400` with one entry per offending field, under `code`. Use it per parameter:
 * `@Body(new AdminValidationPipe()) body: SomeDto`.
 */
export class AdminValidationPipe extends ValidationPipe {
  constructor(private readonly code: AdminValidationCode = 'invalid_request') {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      // The first failing rule of a field is enough ("must be a string", not also "too long").
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors: ValidationError[]) => invalid(code, toFieldProblems(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A JSON array or scalar is no DTO; say so instead of listing its indexes as unknown fields.
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    if (metadata.type === 'body' && value !== undefined && !isObject) {
      throw invalid(this.code, [{ field: 'body', problems: ['must be a JSON object'] }]);
    }
    // Deep nesting would exhaust the stack of the recursive transform below; nothing here nests deeply.
    if (depthOf(value) > MAX_DEPTH) {
      throw invalid(this.code, [
        { field: 'body', problems: [`must not nest deeper than ${MAX_DEPTH} levels`] },
      ]);
    }
    // Checked here, at any depth, because free-form members (`address`, `jwks`) are not
    // whitelisted field by field, and class-transformer would copy these members onto the DTO.
    const forbidden = prototypeMemberPaths(value);
    if (forbidden.length > 0) {
      throw invalid(
        this.code,
        forbidden.map((field) => ({ field, problems: ['is not a known field'] })),
      );
    }
    return super.transform(value, metadata);
  }
}

const MAX_DEPTH = 16;

/** Nesting depth of a JSON value, computed without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_DEPTH) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * Members that reach an object's prototype when merged or copied (prototype pollution). JSON.parse
 * makes them plain own members, so a body can carry them; no admin DTO has such a field.
 */
const PROTOTYPE_MEMBERS = new Set(['__proto__', 'constructor', 'prototype']);

/** Dotted paths (`address.__proto__`, `jwks.keys.0.constructor`) of every prototype member in a JSON value. */
function prototypeMemberPaths(value: unknown): string[] {
  const found: string[] = [];
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    for (const key of Object.keys(node)) {
      const field = path ? `${path}.${key}` : key;
      if (PROTOTYPE_MEMBERS.has(key)) found.push(field);
      else stack.push([(node as Record<string, unknown>)[key], field]);
    }
  }
  return found.sort();
}

function invalid(code: AdminValidationCode, fields: FieldProblem[]): OAuthError {
  const description =
    code === 'invalid_client_metadata'
      ? 'The client metadata is invalid.'
      : 'The request is invalid.';
  return new OAuthError(code, description, { fields });
}

function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      // class-validator says "property x should not exist"; say what it means here.
      rule === 'whitelistValidation' ? 'is not a known field' : message,
    );
    return [
      ...(own.length > 0 ? [{ field, problems: own }] : []),
      ...toFieldProblems(error.children ?? [], field),
    ];
  });
}
