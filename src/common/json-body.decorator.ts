import {
  BadRequestException,
  createParamDecorator,
  type ExecutionContext,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';

/** Requests whose chunked body had no bytes: the JSON parser turns an empty body into `{}`. */
const emptyBodies = new WeakSet<IncomingMessage>();

/** A JSON parser's `verify` hook: it sees the bytes before they are parsed. */
export function noteEmptyBody(req: IncomingMessage, _res: unknown, body: Buffer): void {
  if (body.length === 0) {
    emptyBodies.add(req);
  }
}

function hasBodyBytes(req: Request): boolean {
  const length = req.headers['content-length'];
  return (req.headers['transfer-encoding'] !== undefined && !emptyBodies.has(req)) || (length !== undefined && length !== '0');
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
