/**
 * Jest global set-up and tear-down of `npm run test:consumer`: `npm pack` the
 * package once (its `prepack` builds both module formats), before the spec
 * files run side by side, so that no two builds write dist/ at once. The
 * workers find the tarball in NESTJS_ROUTE_CORS_TARBALL.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGE_DIR = join(import.meta.dirname, '..', '..', 'packages', 'nestjs-route-cors');

export default function pack() {
  const destination = mkdtempSync(join(tmpdir(), 'nestjs-route-cors-pack-'));
  const packed = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', destination], {
      cwd: PACKAGE_DIR,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  process.env.NESTJS_ROUTE_CORS_TARBALL = join(destination, packed[0].filename);
}

export function removePack() {
  const tarball = process.env.NESTJS_ROUTE_CORS_TARBALL;
  if (tarball !== undefined) rmSync(join(tarball, '..'), { recursive: true, force: true });
}
