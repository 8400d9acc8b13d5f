/**
 * Boots the real application (same factory, pipes, filters and CORS module as
 * main.ts) for e2e tests, with a configuration built from an environment map.
 */
import type { INestApplication } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core';
import { createApp } from '../src/app.factory.js';
import { AppModule } from '../src/app.module.js';
import { loadConfig } from '../src/common/app-config.js';

export async function startApp(env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig(env);
  return startModule(AppModule.forConfig(config));
}

export async function startModule(rootModule: IEntryNestModule): Promise<INestApplication> {
  const app = await createApp(rootModule, false);
  await app.init();
  return app;
}
