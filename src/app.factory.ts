import {
  type INestApplication,
  type LogLevel,
  ValidationPipe,
  BadRequestException,
  type NestApplicationOptions,
} from '@nestjs/common';
import { type IEntryNestModule, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { ValidationError } from 'class-validator';
import express, { type RequestHandler } from 'express';
import type { FastifyInstance } from 'fastify';
import type { HttpAdapterName } from './common/app-config.js';
import { noteEmptyBody } from './common/json-body.decorator.js';
import { requestIdHook, requestIdMiddleware, requestIdOf } from './common/request-id.js';
import { setupApiDocs } from './docs/api-docs.js';

/** 1 MB, the body limit on both platforms. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

function firstMessage(errors: readonly ValidationError[]): string {
  for (const error of errors) {
    const message = Object.values(error.constraints ?? {})[0] ?? firstMessage(error.children ?? []);
    if (message) return message;
  }
  return 'Invalid request body';
}

/**
 * Express's JSON parser. Only a chunked body can be empty after the headers
 * announced one; a twin with a `verify` hook reads those, so that JsonBody
 * tells an empty body from `{}`. Every request paying for `verify` would cost
 * ~46,000 instructions (+2.7% per POST /greet, npm run bench:instructions).
 */
function jsonBodyParser(): RequestHandler {
  const options = { limit: BODY_LIMIT_BYTES, strict: false };
  const parse = express.json(options);
  const parseNotingEmpty = express.json({ ...options, verify: (req, _res, body) => noteEmptyBody(req, body) });
  return (req, res, next) =>
    (req.headers['transfer-encoding'] === undefined ? parse : parseNotingEmpty)(req, res, next);
}

/**
 * Fastify's parsers, made to answer like Express's: JSON read with
 * `JSON.parse` as Express does (Fastify's own parser refuses `__proto__`
 * keys and an empty body with messages of its own), and any other content
 * type read and left unparsed, so that the handler's JsonBody answers 415 with
 * the service's message rather than Fastify.
 */
function useFastifyBodyParsers(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES },
    (request, body: Buffer, done) => {
      noteEmptyBody(request, body);
      if (body.length === 0) return done(null, {});
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch (error) {
        done(new BadRequestException('Malformed JSON in request body', { cause: error }), undefined);
      }
    },
  );
  instance.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: BODY_LIMIT_BYTES }, (_request, _body, done) =>
    done(null, undefined),
  );
}

/** The pipes and parsers of the application, shared by main.ts and the e2e tests. */
export function configureApp(app: INestApplication, httpAdapter: HttpAdapterName): INestApplication {
  if (httpAdapter === 'fastify') {
    useFastifyBodyParsers((app as NestFastifyApplication).getHttpAdapter().getInstance());
  } else {
    app.use(jsonBodyParser());
  }
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      validateCustomDecorators: true,
      stopAtFirstError: true,
      transformOptions: { excludeExtraneousValues: true },
      exceptionFactory: (errors) => new BadRequestException(firstMessage(errors)),
    }),
  );
  return app;
}

export interface AppOptions {
  readonly logLevels: readonly LogLevel[] | false;
  /** Express's `trust proxy`, Fastify's `trustProxy` (see AppConfig.trustProxy). */
  readonly trustProxy?: boolean | number | string;
  /** Express (default) or Fastify. */
  readonly httpAdapter?: HttpAdapterName;
  /** Swagger UI at /docs and the OpenAPI document at /docs-json. */
  readonly apiDocs?: boolean;
}

/**
 * `TRUST_PROXY` for Fastify, meaning what it means to Express. Fastify reads
 * lists and booleans alike but trusts no hop for a bare count; Express trusts
 * that many hops from the server, as README documents the setting.
 */
function fastifyTrustProxy(
  trustProxy: boolean | number | string,
): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof trustProxy === 'number' ? (_address, hop) => hop < trustProxy : trustProxy;
}

/**
 * Creates the configured application on its HTTP platform. The request id is
 * given before Nest sees the request (Express: the first middleware; Fastify:
 * `genReqId`, sent back by an `onSend` hook), so every answer carries it.
 */
export async function createApp(
  rootModule: IEntryNestModule,
  { logLevels, trustProxy = false, apiDocs = false, httpAdapter = 'express' }: AppOptions,
): Promise<INestApplication> {
  const options: NestApplicationOptions = {
    bodyParser: false,
    abortOnError: false,
    logger: logLevels === false ? false : [...logLevels],
  };
  let app: INestApplication;
  if (httpAdapter === 'fastify') {
    const adapter = new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: fastifyTrustProxy(trustProxy),
      genReqId: requestIdOf,
      // As Express routes by default, so that the API answers the same paths on both platforms.
      routerOptions: { ignoreTrailingSlash: true },
    });
    adapter.getInstance().addHook('onSend', requestIdHook);
    app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, options);
  } else {
    const server = express();
    server.disable('x-powered-by');
    server.set('trust proxy', trustProxy);
    server.use(requestIdMiddleware);
    app = await NestFactory.create<NestExpressApplication>(rootModule, new ExpressAdapter(server), options);
  }
  if (apiDocs) {
    setupApiDocs(app);
  }
  return configureApp(app, httpAdapter);
}
