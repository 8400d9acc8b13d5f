/** Gateway handshakes: raw, as a browser or a program sends them, and through a Socket.IO client. */
import { connect } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { type RawHttpAnswer, sendRaw } from './raw-http.js';

export interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/**
 * Sends a WebSocket upgrade request on a fresh TCP connection and resolves
 * with the status line's code and what followed, once the server answered
 * 101 or closed the connection.
 */
export function upgrade(port: number, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const finish = (): void => {
      socket.destroy();
      const [head = '', body = ''] = received.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    };
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.startsWith('HTTP/1.1 101') && received.includes('\r\n\r\n')) finish();
    });
    socket.on('close', finish);
    socket.on('error', reject);
    const lines = [
      `GET ${path} HTTP/1.1`,
      `Host: 127.0.0.1:${port}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      'Sec-WebSocket-Version: 13',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ];
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}

/** Socket.IO's first polling request: the handshake that opens a session (its answer names the session id, `sid`). */
export function pollingHandshake(
  port: number,
  method: string,
  headers: Record<string, string>,
): Promise<RawHttpAnswer> {
  return sendRaw(port, method, '/socket.io/?EIO=4&transport=polling', headers);
}

/** A Socket.IO client that sends `origin` as a browser page would, on one transport. */
export function connectAs(port: number, origin: string, transport: 'polling' | 'websocket'): Promise<Socket> {
  const socket = io(`http://127.0.0.1:${port}`, {
    transports: [transport],
    extraHeaders: { Origin: origin },
    reconnection: false,
    timeout: 5_000,
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}
