/**
 * nginx on a free loopback port in front of running instances, rendered from
 * deploy/nginx.conf.template (the deployment tests' stack).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { send } from './http-client.js';
import { ROOT } from './service-process.js';

export const NGINX = process.env.NGINX_PATH ?? '/usr/sbin/nginx';

export interface Nginx {
  readonly port: number;
  readonly runDir: string;
  readonly process: ChildProcess;
}

/**
 * Renders the template for `upstreams` and starts nginx on a free port. The
 * port is free when probed, but another process may bind it before nginx
 * does: then nginx exits with "Address already in use" and the next port is
 * tried. nginx is known to be up when /health answers through it with its own
 * X-Cache-Status header (no other server on that port would send it).
 */
export async function startNginx(
  upstreams: readonly number[],
  name: string,
  edit: (config: string) => string = (c) => c,
): Promise<Nginx> {
  const runDir = mkdtempSync(join(tmpdir(), `nginx-${name}-`));
  mkdirSync(join(runDir, 'cache'));
  const configFile = join(runDir, 'nginx.conf');
  // As root, nginx's workers would switch to "nobody", who cannot use this private directory.
  const globals = `daemon off;${process.getuid?.() === 0 ? ' user root;' : ''}`;
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const listenPort = await freePort();
    const config = readFileSync(join(ROOT, 'deploy', 'nginx.conf.template'), 'utf8')
      .replaceAll('${API_UPSTREAMS}', upstreams.map((p) => `server 127.0.0.1:${p};`).join('\n        '))
      .replaceAll('${LISTEN}', `127.0.0.1:${listenPort}`)
      .replaceAll('${RUN_DIR}', runDir)
      .replaceAll('${CACHE_DIR}', join(runDir, 'cache'));
    writeFileSync(configFile, edit(config));
    execFileSync(NGINX, ['-t', '-q', '-p', runDir, '-c', configFile, '-g', globals]);
    const child = spawn(NGINX, ['-p', runDir, '-c', configFile, '-g', globals], { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    for (let i = 0; i < 100 && !exited; i += 1) {
      const answer = await send(listenPort, { method: 'GET', path: '/health' }).catch(() => undefined);
      if (answer?.status === 200 && answer.headers['x-cache-status'] !== undefined)
        return { port: listenPort, runDir, process: child };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const errors = existsSync(join(runDir, 'error.log')) ? readFileSync(join(runDir, 'error.log'), 'utf8') : '';
    child.kill('SIGKILL');
    if (!errors.includes('Address already in use')) throw new Error(`nginx did not start:\n${errors}`);
  }
  throw new Error('nginx found no free port in 5 attempts');
}
