import type { HttpServer } from '@nestjs/common';
import { CorsConfigurationError } from '../core/index.js';
import type { CorsHttpPlatform } from '../nest/cors-platform.interface.js';
import { ExpressPlatform } from './express.js';
import { FastifyPlatform } from './fastify.js';

/** The platform file for the application's HTTP adapter, by the name the adapter gives itself. */
export function platformFor(adapter: HttpServer): CorsHttpPlatform<unknown, unknown> {
  const type = adapter.getType();
  switch (type) {
    case 'express':
      return new ExpressPlatform(adapter);
    case 'fastify':
      return new FastifyPlatform(adapter);
    default:
      throw new CorsConfigurationError([
        `nestjs-route-cors supports @nestjs/platform-express and @nestjs/platform-fastify; this application runs on '${type}'`,
      ]);
  }
}
