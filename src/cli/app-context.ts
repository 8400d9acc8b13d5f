/**
 * Boots the application for the CORS commands: the same factory, modules,
 * configuration and policies as the service, its routes registered with the
 * HTTP adapter (so paths, hosts and versions are Nest's own), never listening.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { createApp } from '../app.factory.js';
import { AppModule } from '../app.module.js';
import { isConfigurationError } from '../common/app-config.js';
import { loadAppConfig } from '../common/environment.js';
import { EXIT_BAD_INPUT } from './exit-codes.js';

export async function createAppContext(): Promise<INestApplication> {
  try {
    const { config, configModule } = await loadAppConfig();
    const app = await createApp(AppModule.forConfig(config, configModule), {
      logLevels: false,
      trustProxy: config.trustProxy,
      httpAdapter: config.httpAdapter,
    });
    return await app.init();
  } catch (error) {
    if (isConfigurationError(error)) {
      console.error(error.message);
      process.exit(EXIT_BAD_INPUT);
    }
    throw error;
  }
}
