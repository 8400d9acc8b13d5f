import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { FastifyReply, FastifyRequest } from 'fastify';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id, also sent back as `X-Request-Id` (Fastify's requests have one of their own). */
    id: string;
  }
}

/** Ids a client may choose: short and harmless in headers and log lines. */
const ACCEPTABLE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Request-Id` when it is safe to repeat, a fresh UUID otherwise (Fastify's `genReqId`). */
export function requestIdOf({ headers }: { readonly headers: IncomingHttpHeaders }): string {
  const incoming = headers['x-request-id'];
  return typeof incoming === 'string' && ACCEPTABLE_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Express: gives every request its id. Installed first, so that every
 * response, preflights and body-parser errors included, carries it.
 */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  req.id = requestIdOf(req);
  res.setHeader('X-Request-Id', req.id);
  next();
}

/**
 * Fastify: the id comes from `genReqId`; this `onSend` hook sends it back on
 * every reply, those a hook ends before any later hook (a preflight) included.
 */
export function requestIdHook(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload: unknown) => void,
): void {
  reply.header('X-Request-Id', request.id);
  done(null, payload);
}
