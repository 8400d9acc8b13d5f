/**
 * The benchmark's Nest 11 install, bench/nest11: Nest 11.x, its platforms and
 * the package, which npm copies from this repository (`install-links`) instead
 * of linking it, so that the package resolves Nest 11 from there as it does in
 * a user's Nest 11 app. The service's compiled code (dist-bench) is copied
 * inside it, where its imports resolve to that install: Nest 11 targets count
 * the same code as Nest 12's.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './scenarios.js';

const ROOT = join(import.meta.dirname, '..', '..');
const NEST11_DIR = join(ROOT, 'bench', 'nest11');
export const NEST11_BUILD = join(NEST11_DIR, 'build');

/** When a Nest 11 target is selected: installs bench/nest11 from its lockfile (with the package as built now) and copies the build in. */
export function prepareNest11(targets: readonly Target[]): void {
  if (!targets.some((target) => target.nest === 11)) return;
  console.log('Installing Nest 11 for the nest11-* targets (bench/nest11) ...');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: NEST11_DIR, stdio: 'inherit' });
  rmSync(NEST11_BUILD, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist-bench'), NEST11_BUILD, { recursive: true });
}
