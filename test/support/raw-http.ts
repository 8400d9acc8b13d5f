/** A request sent exactly as written: no client library normalises its path (`//`, `/./`, `%2e`, `#`). */
import { type IncomingHttpHeaders, request } from 'node:http';

export interface RawHttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** Sends `method target` to 127.0.0.1:`port` with `headers`, the target as given. */
export function sendRaw(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
