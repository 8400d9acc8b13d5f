/**
 * Issue 27: `npm install` on the Node the README names prints no engine
 * warning, and the README, the service's `engines` and the package's agree.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);
const nodeRange = (manifest: string): string =>
  (JSON.parse(readFileSync(join(ROOT, manifest), 'utf8')) as { engines: { node: string } }).engines.node;

describe('installing on the Node the README names', () => {
  it('prints no EBADENGINE warning: no installed package declares a Node this one is not', async () => {
    // A dry run resolves the tree from the lockfile and checks every package's engines, as `npm install` does, and writes nothing.
    const { stdout, stderr } = await run('npm', ['install', '--dry-run', '--no-audit', '--no-fund'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const warned = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('EBADENGINE') && line.includes('package:'));
    expect(warned).toEqual([]);
  }, 120_000);

  it("says the same Node versions in the README as in the service's and the package's engines", () => {
    const service = nodeRange('package.json');
    expect(nodeRange('packages/nestjs-route-cors/package.json')).toBe(service);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`engines\` says \`${service}\``);
  });
});
