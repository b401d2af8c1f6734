import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';

import { OAuthError } from './oauth-error';

interface HttpResponseLike {
  status(code: number): this;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
  headersSent?: boolean;
}

const HTTP_STATUS_CODES: Record<number, OAuthError['code']> = {
  401: 'invalid_token',
  404: 'not_found',
  405: 'invalid_request',
  413: 'payload_too_large',
  415: 'invalid_request',
};

/**
 * Writes every error as RFC 6749 §5.2 JSON with Cache-Control: no-store.
 * Anything that is not an OAuthError or a Nest HttpException is logged with its stack
 * and answered 500 server_error: nothing internal reaches the client.
 */
@Catch()
export class OAuthExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<HttpResponseLike>();
    const error = this.toOAuthError(exception);
    if (res.headersSent) return;
    if (error.options.detail) this.logger.debug(`${error.code}: ${error.options.detail}`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    if (error.options.challenge) res.setHeader('WWW-Authenticate', error.options.challenge);
    if (error.options.retryAfterSeconds !== undefined) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(error.options.retryAfterSeconds))));
    }
    const body: Record<string, unknown> = { error: error.code, error_description: error.description };
    if (error.options.fields) body.fields = error.options.fields;
    res.status(error.status).json(body);
  }

  private toOAuthError(exception: unknown): OAuthError {
    if (exception instanceof OAuthError) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status < 500) {
        const code = HTTP_STATUS_CODES[status] ?? 'invalid_request';
        return new OAuthError(code, describeHttpException(exception, status), { status });
      }
    }
    // Body-parser errors (malformed JSON or form, oversize bodies) carry a status and a type.
    const parserError = exception as { status?: number; type?: string } | null;
    if (parserError && typeof parserError.status === 'number' && typeof parserError.type === 'string') {
      if (parserError.status === 413) {
        return new OAuthError('payload_too_large', 'The request body is too large.', { status: 413 });
      }
      if (parserError.status >= 400 && parserError.status < 500) {
        return new OAuthError('invalid_request', 'The request body could not be parsed.', {
          status: 400,
        });
      }
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    return new OAuthError('server_error', 'The server could not complete the request.');
  }
}

function describeHttpException(exception: HttpException, status: number): string {
  if (status === 404) return 'No such resource.';
  if (status === 405) return 'Method not allowed.';
  if (status === 413) return 'The request body is too large.';
  return 'The request is not valid.';
}
