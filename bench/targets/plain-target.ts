/**
 * The near-physical limit on this machine: node:http with the greet logic and
 * minimal hand-written CORS for a fixed allowlist, no framework.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

const started = performance.now();
const allowed = new Set((process.env.CORS_ALLOWED_ORIGINS ?? '').split(','));
const GREETINGS: Record<string, string> = { en: 'Hello', es: 'Hola', fr: 'Bonjour' };

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const origin = req.headers.origin;
  res.setHeader('Vary', 'Origin');
  const originAllowed = origin !== undefined && allowed.has(origin);
  if (req.method === 'OPTIONS' && origin && req.headers['access-control-request-method']) {
    if (!originAllowed) return json(res, 403, { error: 'Cross-origin request not allowed' });
    res.writeHead(204, {
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Content-Type',
      'Access-Control-Max-Age': '60',
      'Content-Length': '0',
    });
    return void res.end();
  }
  if (originAllowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Expose-Headers', 'X-Request-Id');
  }
  if (req.method !== 'POST' || req.url !== '/greet') return json(res, 404, { error: 'Not found' });
  let parsed: { name?: unknown; lang?: unknown };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return json(res, 400, { error: 'Malformed JSON in request body' });
  }
  const lang = typeof parsed.lang === 'string' ? parsed.lang.toLowerCase() : 'en';
  if (typeof parsed.name !== 'string' || parsed.name.trim() === '' || !(lang in GREETINGS)) {
    return json(res, 400, { error: 'Invalid request' });
  }
  json(res, 200, { greeting: `${GREETINGS[lang]}, ${parsed.name.trim()}!`, timestamp: new Date().toISOString() });
}

const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => handle(req, res, body));
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`ready ${address.port} ${(performance.now() - started).toFixed(1)}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
