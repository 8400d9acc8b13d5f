import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CheckedPeer, FIRST_SUPPORTED_RELEASES, supportedReleases } from './supported-releases.js';

const { peerDependencies } = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'),
) as {
  peerDependencies: Record<string, string>;
};
const checkedPeers = Object.entries(FIRST_SUPPORTED_RELEASES) as Array<[CheckedPeer, readonly string[]]>;
const nestPeers = Object.entries(peerDependencies).filter(([name]) => name.startsWith('@nestjs/'));
const majorsOf = (range: string): string[] =>
  range.split(' || ').map((alternative) => alternative.replace(/^\^(\d+)\..*$/, '$1'));

describe("package.json's peer ranges, against what start-up checks", () => {
  it.each(checkedPeers)(
    '%s: npm accepts each supported major from the first release start-up accepts',
    (peer, releases) => {
      expect(peerDependencies[peer]).toBe(releases.map((release) => `^${release}`).join(' || '));
    },
  );

  it('every other Nest peer accepts each major from its first release: no start-up check asks more of it', () => {
    const unchecked = nestPeers.filter(([name]) => !(name in FIRST_SUPPORTED_RELEASES));
    expect(unchecked.map(([name]) => name)).toEqual(['@nestjs/common', '@nestjs/platform-express']);
    for (const [name, range] of unchecked)
      expect([name, range]).toEqual([name, expect.stringMatching(/^\^\d+\.0\.0( \|\| \^\d+\.0\.0)*$/)]);
  });

  it('supports the same Nest majors on every Nest peer', () => {
    const [first, ...others] = nestPeers.map(([, range]) => majorsOf(range));
    for (const majors of others) expect(majors).toEqual(first);
  });

  it('names the releases in start-up errors as the ranges say them', () => {
    expect(supportedReleases('@nestjs/platform-fastify')).toBe(
      '@nestjs/platform-fastify 11.2.8 or a later 11.x, or 12.5.0 or a later 12.x',
    );
  });
});
