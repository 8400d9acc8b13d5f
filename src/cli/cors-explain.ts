/**
 * `npm run cors:explain -- --origin https://evil.com --method POST --path /greet --header content-type`
 * Prints what the service would answer the browser's preflight and actual
 * request, and why. Exit 0: allowed; 1: refused; 2: bad input.
 */
import { parseArgs } from 'node:util';
import { EXIT_BAD_INPUT } from './exit-codes.js';

const USAGE = `Usage: npm run cors:explain -- --origin <origin> --path <path> [--method POST] [--header name[:value]]... [--host name] [--credentials]

  --origin       the page's origin, e.g. https://app.example.com (or null)
  --path         the API path the page calls, e.g. /greet, or a gateway's handshake path, e.g. /socket.io/
  --method       the method of the page's request (default GET)
  --header       a header the page sets; repeat it. A content-type without value counts as application/json.
                 A version header (e.g. X-API-Version:2) selects the versioned handler, as Nest's router does
  --host         the API's host name as the browser reaches it: selects controllers bound to hosts (@Controller({ host })),
                 and a loopback or private host (localhost, 192.168.1.10) under a public page adds Chrome's Local Network Access note
  --credentials  the page uses fetch(..., { credentials: 'include' })

Exit code: 0 allowed, 1 refused, 2 bad input.`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(EXIT_BAD_INPUT);
}

function parseInput() {
  try {
    const { values } = parseArgs({
      options: {
        origin: { type: 'string' },
        path: { type: 'string' },
        method: { type: 'string', default: 'GET' },
        header: { type: 'string', multiple: true, default: [] },
        credentials: { type: 'boolean', default: false },
        host: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (!values.origin || !values.path) fail('--origin and --path are required.');
    const headers = values.header.map((entry) => {
      const colon = entry.indexOf(':');
      return colon === -1
        ? { name: entry.trim() }
        : { name: entry.slice(0, colon).trim(), value: entry.slice(colon + 1).trim() };
    });
    return {
      origin: values.origin,
      path: values.path,
      method: values.method,
      headers,
      credentials: values.credentials,
      host: values.host,
    };
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
}

const input = parseInput();
// Loaded once the arguments are read, so that --help and a usage error answer without loading Nest (1.5 s).
const [{ CorsExplainInputError, CorsPolicies, formatExplanation }, { createAppContext }] = await Promise.all([
  import('nestjs-route-cors'),
  import('./app-context.js'),
]);
const context = await createAppContext();
try {
  const explanation = await context.get(CorsPolicies).explain(input);
  console.log(formatExplanation(explanation));
  process.exitCode = explanation.allowed ? 0 : 1;
} catch (error) {
  if (!(error instanceof CorsExplainInputError)) throw error;
  console.error(error.message);
  process.exitCode = EXIT_BAD_INPUT;
} finally {
  await context.close();
}
