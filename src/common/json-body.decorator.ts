import {
  BadRequestException,
  createParamDecorator,
  type ExecutionContext,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import typeis from 'type-is';

/** The request as Nest hands it over, on either platform: Express's Request or Fastify's FastifyRequest. */
interface BodyRequest {
  readonly headers: IncomingHttpHeaders;
  readonly body?: unknown;
}

/** Requests whose chunked body had no bytes: Express's JSON parser turns an empty body into `{}`. */
const emptyBodies = new WeakSet<object>();

/** Called by the JSON parsers with the bytes they read, before parsing; `request` is the one Nest hands over. */
export function noteEmptyBody(request: object, body: Buffer): void {
  if (body.length === 0) {
    emptyBodies.add(request);
  }
}

function hasBodyBytes(req: BodyRequest): boolean {
  const length = req.headers['content-length'];
  return (
    (req.headers['transfer-encoding'] !== undefined && !emptyBodies.has(req)) ||
    (length !== undefined && length !== '0')
  );
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The request body, required to be a JSON object. Tells the client which of
 * the three things went wrong: no body, not JSON, or JSON that is no object.
 * The global ValidationPipe then validates it against the parameter's DTO.
 */
export const JsonBody = createParamDecorator((_data: unknown, context: ExecutionContext): Record<string, unknown> => {
  const req = context.switchToHttp().getRequest<BodyRequest>();
  if (!hasBodyBytes(req)) {
    throw new BadRequestException('Missing request body');
  }
  if (typeis.is(req.headers['content-type'] ?? '', ['application/json']) === false) {
    throw new UnsupportedMediaTypeException('Request body must be JSON (Content-Type: application/json)');
  }
  if (!isJsonObject(req.body)) {
    throw new BadRequestException('Request body must be a JSON object');
  }
  return req.body;
});
