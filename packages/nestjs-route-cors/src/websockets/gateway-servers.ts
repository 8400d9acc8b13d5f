import type { WebSocketAdapter } from '@nestjs/common';
import type { ApplicationConfig } from '@nestjs/core';

/** Called with every server the adapter creates for a gateway, before Nest binds the gateway to it. */
export type ServerCreated = (server: unknown, port: number, options: unknown) => void;

/**
 * Lets `onCreate` see every server the application's WebSocket adapter
 * creates. Nest asks `ApplicationConfig` for the adapter when it creates the
 * gateways' servers, in `init()`, after `app.useWebSocketAdapter()` and
 * after any constructor could run; so the adapter is wrapped when it is
 * asked for, whichever it is (Socket.IO's default, ws's, a subclass). The
 * wrapper belongs to this application only: the gateway classes and the
 * adapter object stay untouched.
 */
export function observeGatewayServers(config: ApplicationConfig, onCreate: ServerCreated): void {
  const getIoAdapter = config.getIoAdapter.bind(config);
  const observed = new WeakMap<WebSocketAdapter, WebSocketAdapter>();
  config.getIoAdapter = () => {
    const adapter = getIoAdapter();
    // Nest checks for "no adapter yet" before it installs the default one.
    if (!adapter) return adapter;
    let wrapper = observed.get(adapter);
    if (wrapper === undefined) {
      wrapper = new Proxy(adapter, {
        get(target, key) {
          if (key === 'create') {
            return (port: number, options?: unknown): unknown => {
              const server: unknown = target.create(port, options);
              onCreate(server, port, options);
              return server;
            };
          }
          const value: unknown = Reflect.get(target, key);
          // Bound to the adapter itself, so that its methods see their own private fields.
          return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
        },
      });
      observed.set(adapter, wrapper);
    }
    return wrapper;
  };
}
