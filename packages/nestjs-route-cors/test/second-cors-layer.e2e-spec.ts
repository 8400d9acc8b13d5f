/**
 * Never a second CORS layer (issue 25): `app.enableCors()`, the `cors`
 * option of `NestFactory.create()`, expressjs/cors and @fastify/cors beside
 * CorsModule stop start-up, naming the call; what cannot be told apart is
 * shown, and `expectCors` says another layer is at work.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import fastifyCors from '@fastify/cors';
import cors from 'cors';
import Fastify from 'fastify';
import { Cors, CorsConfigurationError, CorsModule } from 'nestjs-route-cors';
import { expectCors } from 'nestjs-route-cors/testing';
import { HTTP_ADAPTER, initialised } from '../../../test/support/fixture-app.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';
const SECOND_LAYER =
  /adds a second CORS layer beside CorsModule: it would send Access-Control-Allow-Origin on answers the @Cors\(\) policies refuse/;

@Cors({ origins: [ALLOWED] })
@Controller('messages')
class MessagesController {
  @Get()
  list(): string[] {
    return ['hello'];
  }
}

@Module({ imports: [CorsModule.forRoot({ logRoutes: false })], controllers: [MessagesController] })
class MessagesModule {}

function create(
  options: { readonly cors?: boolean } = {},
  adapter = HTTP_ADAPTER === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(),
): Promise<INestApplication> {
  return NestFactory.create(MessagesModule, adapter, { logger: false, abortOnError: false, ...options });
}

describe('a second CORS layer beside CorsModule', () => {
  it('refuses app.enableCors() at the call, naming it', async () => {
    const app = await create();
    try {
      expect(() => app.enableCors()).toThrow(CorsConfigurationError);
      expect(() => app.enableCors({ origin: '*' })).toThrow(/app\.enableCors\(\)/);
      expect(() => app.enableCors()).toThrow(SECOND_LAYER);
    } finally {
      await app.close();
    }
  });

  it.each([
    ['as an argument', (middleware: unknown) => [middleware]],
    ['after a path', (middleware: unknown) => ['/api', middleware]],
    ['in an array', (middleware: unknown) => [[middleware]]],
    ['in a nested array after a path', (middleware: unknown) => ['/api', [() => undefined, [middleware]]]],
  ])(
    'refuses the cors package added with app.use() %s, naming it (Express, and Fastify through middie)',
    async (_spelling, argumentsOf) => {
      const app = await create();
      try {
        const use = app.use.bind(app) as (...handlers: unknown[]) => unknown;
        expect(() => use(...argumentsOf(cors()))).toThrow(
          /app\.use\(cors\(\)\) \(the cors package\) adds a second CORS layer/,
        );
      } finally {
        await app.close();
      }
    },
  );

  it("refuses NestFactory.create()'s cors option when the application starts", async () => {
    const app = await create({ cors: true });
    await expect(app.init()).rejects.toThrow(SECOND_LAYER);
    await app.close();
  });
});

(HTTP_ADAPTER === 'express' ? describe : describe.skip)('a second CORS layer on Express (Express only)', () => {
  it('cannot tell a hand-written CORS middleware on the Express instance apart: refused answers are readable, and expectCors says why', async () => {
    const app = await create();
    const everyone = (_req: IncomingMessage, res: ServerResponse, next: () => void): void => {
      res.setHeader('Access-Control-Allow-Origin', '*');
      next();
    };
    (app.getHttpAdapter().getInstance() as { use(handler: typeof everyone): void }).use(everyone);
    try {
      await initialised(app);
      const failure = expectCors(app).actual('/messages', { origin: EVIL }).toBeRefused();
      await expect(failure).rejects.toThrow(
        /Another CORS layer is adding Access-Control-Allow-Origin: the @Cors\(\) policy refused this request/,
      );
      await expect(failure).rejects.toThrow(`Why: refused: origin "${EVIL}" is not in policy`);
    } finally {
      await app.close();
    }
  });
});

(HTTP_ADAPTER === 'fastify' ? describe : describe.skip)('a second CORS layer on Fastify (Fastify only)', () => {
  it('refuses @fastify/cors registered through the application, naming it', async () => {
    const app = await create();
    try {
      expect(() => (app as unknown as { register(plugin: unknown): unknown }).register(fastifyCors)).toThrow(
        /register\(@fastify\/cors\) adds a second CORS layer/,
      );
    } finally {
      await app.close();
    }
  });

  it('stops the start of an instance that had @fastify/cors before the module', async () => {
    const instance = Fastify();
    await instance.register(fastifyCors, { origin: '*' });
    const app = await create({}, new FastifyAdapter(instance));
    await expect(initialised(app)).rejects.toThrow(
      /@fastify\/cors, registered on the Fastify instance, adds a second CORS layer/,
    );
    await app.close().catch(() => undefined);
  });
});
