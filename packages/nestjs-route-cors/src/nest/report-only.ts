/**
 * Report-only mode on the wire: nothing of the decision is written, and when
 * the answer's head is written (by whatever layer answers: another CORS
 * layer's 204, a handler, an error filter), the CORS headers it carries are
 * compared with the policy's. Read at `writeHead`, where both platforms and
 * every other layer end up: headers set on the response, and those passed
 * to `writeHead()` itself (Fastify passes its reply's there).
 */
import { ServerResponse } from 'node:http';

/** What happens with the written head's headers, read by canonical name. */
export type WrittenHeadReader = (read: (name: string) => string | undefined) => void;

const WATCHED = Symbol('nestjs-route-cors.report-only');

interface Watch {
  /** Undefined once called: a head is written once, but an answer may call `writeHead()` again (and fail there). */
  onHead: WrittenHeadReader | undefined;
  readonly writeHead: ServerResponse['writeHead'];
}

type WatchedResponse = ServerResponse & { [WATCHED]?: Watch };

/** A header's value as sent: a string, a number (`Content-Length`), or a list. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return Array.isArray(value) ? value.map((item) => text(item as unknown)).join(', ') : undefined;
}

/** The headers passed to `writeHead()`: an object, or a flat `[name, value, ...]` list, last among its arguments. */
function passedHeaders(args: readonly unknown[]): (name: string) => unknown {
  const last = args[args.length - 1];
  if (Array.isArray(last)) {
    return (name) => {
      for (let at = 0; at + 1 < last.length; at += 2)
        if (String(last[at]).toLowerCase() === name) return last[at + 1] as unknown;
      return undefined;
    };
  }
  if (typeof last === 'object' && last !== null) {
    const headers = last as Record<string, unknown>;
    return (name) => {
      for (const key of Object.keys(headers)) if (key.toLowerCase() === name) return headers[key];
      return undefined;
    };
  }
  return () => undefined;
}

function watchedWriteHead(this: WatchedResponse, ...args: Parameters<ServerResponse['writeHead']>): ServerResponse {
  const watched = this[WATCHED];
  if (watched === undefined)
    return Reflect.apply(Reflect.get(ServerResponse.prototype, 'writeHead'), this, args) as ServerResponse;
  const { onHead } = watched;
  watched.onHead = undefined;
  if (onHead !== undefined) {
    const passed = passedHeaders(args);
    onHead((name) => {
      const lower = name.toLowerCase();
      return text(passed(lower) ?? this.getHeader(lower));
    });
  }
  return Reflect.apply(watched.writeHead, this, args);
}

/** Calls `onHead` with the answer's headers when its head is written, once. */
export function whenHeadWritten(response: ServerResponse, onHead: WrittenHeadReader): void {
  const watchedResponse: WatchedResponse = response;
  watchedResponse[WATCHED] = { onHead, writeHead: Reflect.get(response, 'writeHead') };
  watchedResponse.writeHead = watchedWriteHead as ServerResponse['writeHead'];
}
