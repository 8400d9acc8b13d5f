import { type INestApplication, type LogLevel, ValidationPipe, BadRequestException } from '@nestjs/common';
import { type IEntryNestModule, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { ValidationError } from 'class-validator';
import express, { type RequestHandler } from 'express';
import { noteEmptyBody } from './common/json-body.decorator.js';
import { requestIdMiddleware } from './common/request-id.middleware.js';
import { setupApiDocs } from './docs/api-docs.js';

export const BODY_LIMIT = '1mb';

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
  const options = { limit: BODY_LIMIT, strict: false };
  const parse = express.json(options);
  const parseNotingEmpty = express.json({ ...options, verify: noteEmptyBody });
  return (req, res, next) => (req.headers['transfer-encoding'] === undefined ? parse : parseNotingEmpty)(req, res, next);
}

/** The pipes and parsers of the application, shared by main.ts and the e2e tests. */
export function configureApp(app: NestExpressApplication): INestApplication {
  app.use(jsonBodyParser());
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
  /** Express's `trust proxy` (see AppConfig.trustProxy). */
  readonly trustProxy?: boolean | number | string;
  /** Swagger UI at /docs and the OpenAPI document at /docs-json. */
  readonly apiDocs?: boolean;
}

/**
 * Creates the configured application. The request-id middleware goes on the
 * Express instance before Nest sees it, so it runs before everything else.
 */
export async function createApp(rootModule: IEntryNestModule, { logLevels, trustProxy = false, apiDocs = false }: AppOptions): Promise<INestApplication> {
  const server = express();
  server.disable('x-powered-by');
  server.set('trust proxy', trustProxy);
  server.use(requestIdMiddleware);
  const app = await NestFactory.create<NestExpressApplication>(rootModule, new ExpressAdapter(server), {
    bodyParser: false,
    abortOnError: false,
    logger: logLevels === false ? false : [...logLevels],
  });
  if (apiDocs) {
    setupApiDocs(app);
  }
  return configureApp(app);
}
