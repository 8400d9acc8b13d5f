/**
 * nestjs-route-cors/redis: run-time policy changes shared by every instance
 * through the application's ioredis client (an optional peer dependency,
 * needed only by this entry point):
 * `CorsModule.forRoot({ ..., sync: redisPolicySync(client) })`, then
 * `CorsPolicies.replaceEverywhere()`. Stable, as the main entry point.
 */
export { redisPolicySync, type RedisPolicySyncOptions } from './redis/redis-policy-sync.js';
