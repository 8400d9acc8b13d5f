/**
 * Whether the service can listen where its configuration says, asked before
 * the application starts: a port in use (macOS keeps 5000 for AirPlay) or a
 * host that does not resolve is a configuration mistake, told in one line
 * naming the setting, not a stack trace after "successfully started".
 */
import { lookup } from 'node:dns/promises';
import { createServer } from 'node:net';

/** The one line for a listen error, naming the setting and its value; undefined for another kind of error. */
export function listenProblem(error: unknown, port: number, host: string | undefined): string | undefined {
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'EADDRINUSE':
      return `PORT ${port} is already in use${host ? ` on ${host}` : ''}; set PORT to a free port, e.g. PORT=${port === 65535 ? port - 1 : port + 1} npm start`;
    case 'EACCES':
      return `PORT ${port} needs privileges this process does not have; set PORT to 1024 or above`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `HOST ${JSON.stringify(host)} does not resolve to an address of this machine; set HOST to one (e.g. 127.0.0.1) or leave it unset`;
    case 'EADDRNOTAVAIL':
      return `HOST ${JSON.stringify(host)} is not an address of this machine; set HOST to one (e.g. 127.0.0.1) or leave it unset`;
    default:
      return undefined;
  }
}

/** Binds and releases the address once: the problem's line when it cannot be had, else undefined. */
export async function listenAddressProblem(port: number, host: string | undefined): Promise<string | undefined> {
  try {
    if (host !== undefined) await lookup(host);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(port, host ?? '::', () => resolve());
    });
    await new Promise((resolve) => probe.close(resolve));
    return undefined;
  } catch (error) {
    const problem = listenProblem(error, port, host);
    if (problem === undefined) throw error;
    return problem;
  }
}
