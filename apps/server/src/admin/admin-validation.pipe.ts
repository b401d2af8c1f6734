import { ValidationError, ValidationPipe } from '@nestjs/common';

import { FieldProblem, OAuthError } from '@app/errors';

/**
 * Validates an admin request body or query against its DTO (CONTRACT §4): unknown fields are
 * rejected, not ignored; nothing is converted implicitly, so `"5"` is not a number. Failures are
 * `400` with one entry per offending field, under `code`.
 */
export class AdminValidationPipe extends ValidationPipe {
  constructor(code: 'invalid_request' | 'invalid_client_metadata' = 'invalid_request') {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      transform: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors: ValidationError[]) =>
        new OAuthError(
          code,
          code === 'invalid_client_metadata' ? 'The client metadata is invalid.' : 'The request is invalid.',
          { fields: toFieldProblems(errors) },
        ),
    });
  }
}

function toFieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.entries(error.constraints ?? {}).map(([rule, message]) =>
      // class-validator says "property x should not exist"; say what it means here.
      rule === 'whitelistValidation' ? 'is not a known field' : message,
    );
    return [...(own.length > 0 ? [{ field, problems: own }] : []), ...toFieldProblems(error.children ?? [], field)];
  });
}
