/**
 * Boots the application's module graph without HTTP, for the CORS commands:
 * the same modules, configuration and policies as the service, no listening.
 */
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { isConfigurationError, loadConfig } from '../common/app-config.js';

/** Exit code for input the command cannot work with. */
export const EXIT_BAD_INPUT = 2;

export async function createAppContext(): Promise<INestApplicationContext> {
  try {
    return await NestFactory.createApplicationContext(AppModule.forConfig(loadConfig(process.env)), {
      logger: false,
      abortOnError: false,
    });
  } catch (error) {
    if (isConfigurationError(error)) {
      console.error(error.message);
      process.exit(EXIT_BAD_INPUT);
    }
    throw error;
  }
}
