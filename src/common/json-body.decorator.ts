import {
  BadRequestException,
  createParamDecorator,
  type ExecutionContext,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';

/**
 * The bytes the JSON parser read (`rawBody: true`) decide when it ran: a
 * chunked body can be empty, and then parses as `{}`. Otherwise the headers
 * tell whether a body was sent.
 */
function hasBodyBytes(req: RawBodyRequest<Request>): boolean {
  if (req.rawBody !== undefined) {
    return req.rawBody.length > 0;
  }
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
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
  const req = context.switchToHttp().getRequest<Request>();
  if (!hasBodyBytes(req)) {
    throw new BadRequestException('Missing request body');
  }
  if (req.is('application/json') === false) {
    throw new UnsupportedMediaTypeException('Request body must be JSON (Content-Type: application/json)');
  }
  if (!isJsonObject(req.body)) {
    throw new BadRequestException('Request body must be a JSON object');
  }
  return req.body;
});
