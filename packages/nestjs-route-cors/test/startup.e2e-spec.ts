/** The CORS module refuses to start on a bad declaration, naming it (issue 9). */
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import request from 'supertest';
import type { App } from 'supertest/types.js';
import { Cors, CorsConfigurationError, CorsModule, type CorsModuleOptions, CorsPolicies } from 'nestjs-route-cors';
import { startFixtureApp } from '../../../test/support/fixture-app.js';

function appWith(options: CorsModuleOptions, declaration: Parameters<typeof Cors>[0]) {
  @Controller('thing')
  class ThingController {
    @Get()
    @Cors(declaration)
    get(): string {
      return 'thing';
    }
  }
  @Module({ imports: [CorsModule.forRoot({ ...options, logRoutes: false })], controllers: [ThingController] })
  class ThingModule {}
  return startFixtureApp(ThingModule);
}

describe('refusing to start', () => {
  it.each<[string, CorsModuleOptions, Parameters<typeof Cors>[0], RegExp]>([
    [
      'an unknown policy name',
      { policies: { frontend: {} } },
      'frontedn',
      /@Cors\('frontedn'\) on ThingController\.get names an unknown policy \(known: frontend\)/,
    ],
    [
      "'*' with credentials",
      { policies: { p: { origins: '*', credentials: true } } },
      'p',
      /Invalid CORS policy 'p': origins '\*' cannot be combined with credentials/,
    ],
    ['a malformed origin', { policies: { p: { origins: ['not a url'] } } }, 'p', /origins entry "not a url"/],
    [
      'a trailing slash',
      {},
      { origins: ['http://localhost:1234/'] },
      /Invalid CORS policy 'inline@ThingController\.get': origins entry "http:\/\/localhost:1234\/" has a trailing slash/,
    ],
    ['a mid-label wildcard', {}, { origins: ['https://*example.com'] }, /whole leftmost label/],
    ['a TLD wildcard', {}, { origins: ['https://*.com'] }, /top-level domain/],
  ])('refuses %s with a message naming it', async (_label, options, declaration, message) => {
    const started = appWith(options, declaration);
    await expect(started).rejects.toThrow(CorsConfigurationError);
    await expect(appWith(options, declaration)).rejects.toThrow(message);
  });

  it('starts with a valid declaration', async () => {
    const app = await appWith({ policies: { p: { origins: ['https://a.test'] } } }, 'p');
    try {
      const routes = app
        .get(CorsPolicies)
        .routeReport()
        .routes.map((r) => [r.method, r.path, r.policy?.name]);
      expect(routes).toEqual([['GET', '/thing', 'p']]);
      const server = app.getHttpServer() as App;
      const allowed = await request(server).get('/thing').set('Origin', 'https://a.test');
      expect(allowed.status).toBe(200);
      expect(allowed.text).toBe('thing');
      expect(allowed.headers['access-control-allow-origin']).toBe('https://a.test');
      const refused = await request(server).get('/thing').set('Origin', 'https://b.test');
      expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await app.close();
    }
  });
});

describe('refusing an HTTP platform it does not support', () => {
  /** An adapter that reports a platform the package has no file for: its hook, facts and path rules would be wrong. */
  class OtherPlatformAdapter extends ExpressAdapter {
    override getType(): string {
      return 'koa';
    }
  }

  it('stops start-up with a message naming the platform', async () => {
    @Controller('thing')
    class ThingController {
      @Get()
      @Cors({ origins: ['https://a.test'] })
      get(): string {
        return 'thing';
      }
    }
    @Module({ imports: [CorsModule.forRoot({ logRoutes: false })], controllers: [ThingController] })
    class ThingModule {}
    const app = await NestFactory.create(ThingModule, new OtherPlatformAdapter(), {
      logger: false,
      abortOnError: false,
    });
    await expect(app.init()).rejects.toThrow(
      "nestjs-route-cors supports @nestjs/platform-express and @nestjs/platform-fastify; this application runs on 'koa'",
    );
    await app.close();
  });
});
