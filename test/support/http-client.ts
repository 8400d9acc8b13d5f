/** A small HTTP client over node:http for load and fault tests (no per-request overhead of fetch). */
import { Agent, type IncomingHttpHeaders, type IncomingMessage, request, type RequestOptions } from 'node:http';

export interface Sent {
  readonly method: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: string | Buffer;
}

export interface Received {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * Where a request failed: before its connection was made (`connect`), after
 * connecting but before the request was written out (`send`), or after it was
 * sent, without a complete answer (`answer`): only the last can be a request
 * the server took and dropped.
 */
export type FailureStage = 'connect' | 'send' | 'answer';

export class RequestFailure extends Error {
  constructor(
    readonly code: string | undefined,
    readonly stage: FailureStage,
  ) {
    super(`${code ?? 'error'} at ${stage}`);
  }
}

export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

function requestTo(port: number, sent: Sent, agent: Agent | undefined): RequestOptions {
  return { host: '127.0.0.1', port, method: sent.method, path: sent.path, headers: sent.headers, agent };
}

/** Reads an answer whole, then resolves with it. */
function collectAnswer(
  res: IncomingMessage,
  resolve: (received: Received) => void,
  fail: (error: NodeJS.ErrnoException) => void,
): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () =>
    resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
  );
  res.on('error', fail);
}

export function send(port: number, sent: Sent, agent?: Agent): Promise<Received> {
  return new Promise((resolve, reject) => {
    const req = request(requestTo(port, sent, agent), (res) => collectAnswer(res, resolve, reject));
    req.on('error', reject);
    req.end(sent.body);
  });
}

/** Resident memory of a process, MiB. */
export async function rssMiB(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

/** Like {@link send}, but a failure says how far the request got (a {@link RequestFailure}). */
export function sendTracked(port: number, sent: Sent, agent?: Agent): Promise<Received> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let written = false;
    const fail = (error: NodeJS.ErrnoException) =>
      reject(new RequestFailure(error.code, written ? 'answer' : connected ? 'send' : 'connect'));
    const req = request(requestTo(port, sent, agent), (res) => collectAnswer(res, resolve, fail));
    req.on('socket', (socket) => {
      // A keep-alive socket handed out again is already connected.
      if (!socket.connecting) connected = true;
      else socket.once('connect', () => (connected = true));
    });
    req.on('finish', () => (written = true));
    req.on('error', fail);
    req.end(sent.body);
  });
}
