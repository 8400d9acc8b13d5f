/**
 * One instance of an application that shares its CORS policies through Redis
 * (issue 35), run by policy-sync.deploy-spec.ts from the built package, as a
 * deployment runs it. Plain JavaScript, the decorators applied by hand, so
 * that Node runs it as it is. Environment: PORT, REDIS_PORT, HTTP_ADAPTER.
 *
 * GET /partners has the `partners` policy; PUT /admin/partners (no CORS, for
 * the test only) replaces it on every instance; GET /admin/version says which
 * version this instance decides under.
 */
import 'reflect-metadata';
import { Body, Controller, Get, HttpException, Inject, Module, Put } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { Cors, CorsModule, CorsPolicies, CorsPolicySyncError } from 'nestjs-route-cors';
import { redisPolicySync } from 'nestjs-route-cors/redis';

const PARTNERS = { origins: ['https://partner.example'], methods: ['GET', 'PUT'] };

class PartnersController {
  list() {
    return 'partners';
  }
  update() {
    return 'updated';
  }
}
for (const [decorate, name] of [
  [Get(), 'list'],
  [Put(), 'update'],
]) {
  decorate(PartnersController.prototype, name, Object.getOwnPropertyDescriptor(PartnersController.prototype, name));
}
Controller('partners')(PartnersController);
Cors('partners')(PartnersController);

class AdminController {
  constructor(policies) {
    this.policies = policies;
  }
  async replace(body) {
    try {
      return await this.policies.replaceEverywhere('partners', { ...PARTNERS, origins: body.origins });
    } catch (error) {
      if (error instanceof CorsPolicySyncError) throw new HttpException(error.message, 503);
      throw error;
    }
  }
  version() {
    return this.policies.policyVersion;
  }
}
for (const [decorate, name] of [
  [Put('partners'), 'replace'],
  [Get('version'), 'version'],
]) {
  decorate(AdminController.prototype, name, Object.getOwnPropertyDescriptor(AdminController.prototype, name));
}
Body()(AdminController.prototype, 'replace', 0);
Inject(CorsPolicies)(AdminController, undefined, 0);
Controller('admin')(AdminController);

class HealthController {
  health() {
    return 'ok';
  }
}
Get()(HealthController.prototype, 'health', Object.getOwnPropertyDescriptor(HealthController.prototype, 'health'));
Controller('health')(HealthController);

const client = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT), retryStrategy: () => 100 });
client.on('error', () => undefined);

class AppModule {}
Module({
  imports: [
    CorsModule.forRoot({
      logRoutes: false,
      policies: { partners: PARTNERS },
      sync: redisPolicySync(client, { connectTimeout: 500 }),
    }),
  ],
  controllers: [PartnersController, AdminController, HealthController],
})(AppModule);

const app = await NestFactory.create(
  AppModule,
  ...(process.env.HTTP_ADAPTER === 'fastify' ? [new FastifyAdapter()] : []),
  { logger: ['log', 'warn', 'error'] },
);
app.enableShutdownHooks();
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log(`Listening on http://localhost:${process.env.PORT}`);
process.once('SIGTERM', () => {
  app.close().then(() => client.disconnect());
});
