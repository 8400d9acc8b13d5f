import 'reflect-metadata';
import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { AppModule } from './app.module.js';
import { isConfigurationError } from './common/app-config.js';
import { loadAppConfig } from './common/environment.js';
import { stopGracefully } from './common/graceful-shutdown.js';
import { listenAddressProblem, listenProblem } from './common/listen-address.js';

const logger = new Logger('Bootstrap');

/** Configuration mistakes stop the service with their message, not a stack trace. */
function exitOnConfigurationError(error: unknown): never {
  if (isConfigurationError(error)) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

/** A port in use or a host that does not resolve: one line naming the setting, exit 1. */
function exitWith(problem: string): never {
  console.error(problem);
  process.exit(1);
}

async function main(): Promise<void> {
  const { config, configModule } = await loadAppConfig().catch(exitOnConfigurationError);
  // Before the application starts, so that no "successfully started" comes before the refusal.
  const addressProblem = await listenAddressProblem(config.port, config.host);
  if (addressProblem !== undefined) exitWith(addressProblem);
  const app = await createApp(AppModule.forConfig(config, configModule), config).catch(exitOnConfigurationError);
  await app.listen(config.port, config.host ?? '::').catch((error: unknown) => {
    // Taken between the check and now.
    const problem = listenProblem(error, config.port, config.host);
    if (problem === undefined) throw error;
    exitWith(problem);
  });
  const address = (app.getHttpServer() as Server).address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.log(
    `Listening on http://${config.host ?? 'localhost'}:${port}${config.host ? '' : ' (all interfaces)'}, on ${config.httpAdapter}`,
  );

  // Stop accepting, let in-flight requests finish, then exit 0.
  const shutdown = (signal: NodeJS.Signals): void => {
    logger.log(`${signal} received: finishing in-flight requests`);
    stopGracefully(app).then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

void main();
