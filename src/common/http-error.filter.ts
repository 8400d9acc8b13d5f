import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';

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
  // The JSON parsers fail with a SyntaxError whose text quotes the parser's internals.
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

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Through the adapter: the same filter answers on Express and on Fastify.
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const req = http.getRequest<{ readonly id?: string }>();
    const res: unknown = http.getResponse();
    const known = exception instanceof HttpException;
    const status = known ? exception.getStatus() : HttpStatus.INTERNAL_SERVER_ERROR;
    if (!known || status >= 500) {
      const detail = exception instanceof Error ? (exception.stack ?? exception.message) : String(exception);
      this.logger.error(
        `request=${req.id} ${adapter.getRequestMethod(req)} ${adapter.getRequestUrl(req)} failed: ${detail}`,
      );
    }
    if (adapter.isHeadersSent(res)) {
      return;
    }
    const body: ErrorBody = { error: known && status < 500 ? messageOf(exception) : 'Internal server error' };
    // A route's @Header('Cache-Control', 'public, ...') is set before its handler runs: no cache may keep an error.
    adapter.setHeader(res, 'Cache-Control', 'no-store');
    adapter.reply(res, body, status);
  }
}
