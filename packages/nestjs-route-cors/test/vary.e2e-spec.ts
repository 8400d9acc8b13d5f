/**
 * `Vary` is appended to, never replaced (as expressjs/cors does): a layer
 * that runs before the module (the application's own HTTP app or instance,
 * handed to Nest's adapter) may have set one, and a cache keyed on it must
 * keep that key and learn Origin.
 */
import { Controller, Get, Module, Post } from '@nestjs/common';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import express from 'express';
import fastify from 'fastify';
import request from 'supertest';
import { Cors, CorsModule } from 'nestjs-route-cors';
import { HTTP_ADAPTER, preflight, startFixtureApp, useApp } from '../../../test/support/fixture-app.js';

const ALLOWED = 'https://app.example.com';
const EVIL = 'https://evil.example';
const EARLIER = 'Accept-Encoding';

@Cors({ origins: [ALLOWED], methods: ['GET', 'POST'], allowedHeaders: ['Content-Type'] })
@Controller('page')
class PageController {
  @Get()
  read(): string {
    return 'page';
  }

  @Post()
  write(): string {
    return 'written';
  }
}

@Module({ imports: [CorsModule.forRoot({ logRoutes: false })], controllers: [PageController] })
class PageModule {}

/** An application's own HTTP app or instance, with a layer setting `Vary` ahead of everything Nest adds. */
const EARLIER_LAYERS: ReadonlyArray<readonly [string, 'express' | 'fastify', () => AbstractHttpAdapter]> = [
  [
    'an Express app handed to ExpressAdapter, with its own Vary middleware',
    'express',
    () => new ExpressAdapter(express().use((_request, response, next) => (response.vary(EARLIER), next()))),
  ],
  [
    'a Fastify instance handed to FastifyAdapter, whose onRequest hook sets Vary on the reply',
    'fastify',
    () =>
      new FastifyAdapter(
        fastify().addHook('onRequest', (_request, reply, done) => (reply.header('Vary', EARLIER), done())),
      ),
  ],
  [
    "a Fastify instance handed to FastifyAdapter, whose onRequest hook sets Vary on Node's response",
    'fastify',
    () =>
      new FastifyAdapter(
        fastify().addHook('onRequest', (_request, reply, done) => (reply.raw.setHeader('Vary', EARLIER), done())),
      ),
  ],
];

describe.each(EARLIER_LAYERS.filter(([, platform]) => platform === HTTP_ADAPTER))(
  'a Vary set before the module writes: %s',
  (_name, _platform, adapter) => {
    const running = useApp(() => startFixtureApp(PageModule, { adapter: adapter() }));

    it('is kept on an allowed preflight, the preflight keys appended', async () => {
      const res = await preflight(running.server(), '/page', ALLOWED, 'POST', 'content-type');
      expect(res.status).toBe(204);
      expect(res.headers.vary).toBe(
        `${EARLIER}, Origin, Access-Control-Request-Method, Access-Control-Request-Headers`,
      );
    });

    it('is kept on a refused preflight', async () => {
      const res = await preflight(running.server(), '/page', EVIL, 'POST');
      expect(res.status).toBe(403);
      expect(res.headers.vary).toBe(
        `${EARLIER}, Origin, Access-Control-Request-Method, Access-Control-Request-Headers`,
      );
    });

    it.each([
      ['an allowed', ALLOWED],
      ['a refused', EVIL],
    ])('is kept on %s actual request, Origin appended', async (_label, origin) => {
      const res = await request(running.server()).get('/page').set('Origin', origin);
      expect([res.text, res.headers.vary]).toEqual(['page', `${EARLIER}, Origin`]);
    });
  },
);
