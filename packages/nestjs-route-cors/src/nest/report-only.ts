/**
 * Report-only mode on the wire: nothing of the decision is written, and when
 * the answer's head is written (by whatever layer answers: another CORS
 * layer's 204, a handler, an error filter), the CORS headers it carries are
 * read, to be compared with the policy's. Read where a kept decision is
 * applied (`writeHeadAsDecided`), which both platforms and every other layer
 * end up calling: headers set on the response, and those passed to
 * `writeHead()` itself (Fastify passes its reply's there).
 */
import type { ServerResponse } from 'node:http';

/** What happens with the written head's headers, read by canonical name. */
export type WrittenHeadReader = (read: (name: string) => string | undefined) => void;

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

/** Hands `reader` the head about to be written: `writeHead()`'s arguments over the response's own headers. */
export function readWrittenHead(
  response: ServerResponse,
  args: Parameters<ServerResponse['writeHead']>,
  reader: WrittenHeadReader,
): void {
  const passed = passedHeaders(args);
  reader((name) => {
    const lower = name.toLowerCase();
    return text(passed(lower) ?? response.getHeader(lower));
  });
}
