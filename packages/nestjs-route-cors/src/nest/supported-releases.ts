/**
 * The peers whose older releases lack something start-up reads: for each, the
 * first release of every supported major that has it. The start-up checks name
 * these releases when it is missing, and package.json's `peerDependencies`
 * say the same, so that npm refuses at install what start-up would refuse
 * (supported-releases.spec.ts holds the two together).
 */
export const FIRST_SUPPORTED_RELEASES = {
  /** `HttpAdapterHost.init$`, which says when the application has its HTTP adapter (cors.module.ts). */
  '@nestjs/core': ['11.1.4', '12.0.0'],
  /** FastifyAdapter's `sanitizeUrl()`, `isRoutableRequestTarget()` and `versionConstraint` (platforms/fastify.ts). */
  '@nestjs/platform-fastify': ['11.2.8', '12.5.0'],
} as const satisfies Record<string, readonly string[]>;

export type CheckedPeer = keyof typeof FIRST_SUPPORTED_RELEASES;

/** What a start-up error says the package needs: "@nestjs/core 11.1.4 or a later 11.x, or 12.0.0 or a later 12.x". */
export function supportedReleases(peer: CheckedPeer): string {
  const releases = FIRST_SUPPORTED_RELEASES[peer].map(
    (release) => `${release} or a later ${release.slice(0, release.indexOf('.'))}.x`,
  );
  return `${peer} ${releases.join(', or ')}`;
}
