/** A page's GraphQL subscription over graphql-ws (the `graphql-transport-ws` protocol), as Apollo's and Mercurius's servers take it. */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** The events of `subscription { ticks }` at ws://127.0.0.1:`port`/graphql, through graphql-ws's client on `ws`, sending `origin` as a page would. */
export function ticksFrom(port: number, origin: string): Promise<unknown[]> {
  class PageSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { origin });
    }
  }
  const client = createClient({
    url: `ws://127.0.0.1:${port}/graphql`,
    webSocketImpl: PageSocket,
    retryAttempts: 0,
    lazy: true,
  });
  const events: unknown[] = [];
  return new Promise<unknown[]>((resolve, reject) => {
    client.subscribe(
      { query: 'subscription { ticks }' },
      { next: (event) => events.push(event), error: reject, complete: () => resolve(events) },
    );
  }).finally(() => client.dispose());
}
