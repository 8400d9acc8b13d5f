/**
 * The errors a bad configuration raises, and the one way problems are
 * collected: every problem of a start-up (or of a policy update) is named in
 * a single CorsConfigurationError, so that one run shows them all.
 */

/** A policy that cannot be compiled. `problems` lists each bad setting. */
export class CorsPolicyError extends Error {
  constructor(
    readonly policyName: string,
    readonly problems: readonly string[],
  ) {
    super(`Invalid CORS policy '${policyName}': ${problems.join('; ')}`);
    this.name = 'CorsPolicyError';
  }
}

/** Every problem found in the CORS configuration, reported at once. */
export class CorsConfigurationError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid CORS configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'CorsConfigurationError';
  }
}

/** Collects configuration problems from several steps, then throws them as one CorsConfigurationError. */
export class ConfigurationProblems {
  private readonly found: string[] = [];

  add(...problems: readonly string[]): void {
    this.found.push(...problems);
  }

  /**
   * Runs one step of the configuration. A CorsPolicyError or
   * CorsConfigurationError it throws is collected (the step gives
   * undefined); any other error is a bug and goes on.
   */
  attempt<T>(step: () => T): T | undefined {
    try {
      return step();
    } catch (error) {
      if (error instanceof CorsConfigurationError) this.found.push(...error.problems);
      else if (error instanceof CorsPolicyError) this.found.push(error.message);
      else throw error;
      return undefined;
    }
  }

  /** Throws every problem collected so far, if any. */
  throwIfAny(): void {
    if (this.found.length > 0) {
      throw new CorsConfigurationError([...this.found]);
    }
  }
}
