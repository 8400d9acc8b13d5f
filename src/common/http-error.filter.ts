import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

export interface ErrorBody {
  readonly error: string;
}

/** Messages we choose ourselves, because the library's would leak internals or be unclear. */
const FIXED_MESSAGES: Readonly<Partial<Record<number, string>>> = {
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'Payload too large',
  [HttpStatus.INTERNAL_SERVER_ERROR]: 'Internal server error',
};

function messageOf(exception: HttpException): string {
  const fixed = FIXED_MESSAGES[exception.getStatus()];
  if (fixed) return fixed;
  // Express's body parser throws a SyntaxError whose text quotes the parser's internals.
  if (exception.cause instanceof SyntaxError) return 'Malformed JSON in request body';
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message: unknown = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  return exception.message;
}

/**
 * Every error leaves as `{"error": "<message>"}` with its status, never
 * cacheable; anything unexpected is a 500 whose details only reach the log.
 * The CORS headers are already on the response (the CORS middleware runs
 * first), so the page can read why its request failed.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const known = exception instanceof HttpException;
    const status = known ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (!known || status >= 500) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(`request=${req.id} ${req.method} ${req.originalUrl} failed: ${detail}`);
    }
    if (res.headersSent) {
      return;
    }
    const body: ErrorBody = { error: known && status < 500 ? messageOf(exception) : 'Internal server error' };
    // A route's @Header('Cache-Control', 'public, ...') is set before its handler runs: no cache may keep an error.
    res.setHeader('Cache-Control', 'no-store');
    res.status(status).json(body);
  }
}
