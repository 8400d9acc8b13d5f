import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { AppModule } from './app.module.js';
import { isConfigurationError } from './common/app-config.js';
import { loadAppConfig } from './common/environment.js';
import { stopGracefully } from './common/graceful-shutdown.js';

const logger = new Logger('Bootstrap');

/** Configuration mistakes stop the service with their message, not a stack trace. */
function exitOnConfigurationError(error: unknown): never {
  if (isConfigurationError(error)) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

async function main(): Promise<void> {
  const { config, configModule } = await loadAppConfig().catch(exitOnConfigurationError);
  const app = await createApp(AppModule.forConfig(config, configModule), config).catch(exitOnConfigurationError);
  await app.listen(config.port, config.host ?? '::');
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  logger.log(`Listening on http://${config.host ?? 'localhost'}:${port}${config.host ? '' : ' (all interfaces)'}, on ${config.httpAdapter}`);

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
