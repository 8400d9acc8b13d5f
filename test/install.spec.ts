/**
 * Issue 27: `npm install` on the Node the README names prints no engine
 * warning, and the README, the service's `engines` and the package's agree.
 * Issue 36: nor an install-scripts warning; the service depends on the
 * package's version as it is.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(import.meta.dirname, '..');
const run = promisify(execFile);
interface Manifest {
  readonly version: string;
  readonly engines: { readonly node: string };
  readonly dependencies: Readonly<Record<string, string>>;
}
const manifest = (path: string): Manifest => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Manifest;
const nodeRange = (path: string): string => manifest(path).engines.node;

describe('installing on the Node the README names', () => {
  it('prints no EBADENGINE warning: no installed package declares a Node this one is not', async () => {
    // A dry run resolves the tree from the lockfile and checks every package's engines, as `npm install` does, and writes
    // nothing; without scripts, since the root's `prepare` would rebuild the package under the suites running its dist/.
    const { stdout, stderr } = await run(
      'npm',
      ['install', '--dry-run', '--ignore-scripts', '--no-audit', '--no-fund'],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
    );
    const warned = `${stdout}${stderr}`
      .split('\n')
      .filter((line) => line.includes('EBADENGINE') && line.includes('package:'));
    expect(warned).toEqual([]);
  }, 120_000);

  it('prints no install-scripts warning: each dependency with an install script is reviewed in allowScripts', async () => {
    // What `npm install` warns about at its end, listed without installing anything.
    const { stdout, stderr } = await run('npm', ['install-scripts', 'ls'], { cwd: ROOT });
    expect(`${stdout}${stderr}`.trim()).toBe('No packages with unreviewed install scripts.');
  }, 60_000);

  it("depends on the workspace package's own version", () => {
    expect(manifest('package.json').dependencies['nestjs-route-cors']).toBe(
      `^${manifest('packages/nestjs-route-cors/package.json').version}`,
    );
  });

  it("says the same Node versions in the README as in the service's and the package's engines", () => {
    const service = nodeRange('package.json');
    expect(nodeRange('packages/nestjs-route-cors/package.json')).toBe(service);
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain(`\`engines\` says \`${service}\``);
  });
});
