/**
 * Log lines that do not flood: per key (a policy and a refusal code), the
 * first line is written, the ones after it within `interval` are counted,
 * and the first one after the interval is written with that count. A
 * refused origin hammering an endpoint, or a tenant database that is down,
 * costs one line per interval instead of one per request.
 */

/** The rate limit of the refusal log (`CorsModule`'s `rejectionLog`). */
export interface RejectionLogOptions {
  /**
   * Milliseconds between two lines of one policy and refusal code; the lines
   * in between are counted, and the count is written with the next line.
   * @default 10000
   */
  readonly interval?: number;
}

export const DEFAULT_REJECTION_LOG_INTERVAL_MS = 10_000;

interface Window {
  readonly start: number;
  counted: number;
}

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();

  constructor(private readonly interval: number) {}

  /**
   * The line `write` builds, or undefined while the key's interval lasts (the
   * line is counted, and never built: a flood costs no strings); the first
   * line after the interval says how many were left out.
   */
  admit(key: string, write: () => string): string | undefined {
    const now = Date.now();
    const previous = this.windows.get(key);
    if (previous !== undefined && now - previous.start < this.interval) {
      previous.counted += 1;
      return undefined;
    }
    this.windows.set(key, { start: now, counted: 0 });
    if (previous === undefined || previous.counted === 0) return write();
    const seconds = Math.round((now - previous.start) / 100) / 10;
    return `${write()} (and ${previous.counted} more like it in the ${seconds} s before, not logged)`;
  }
}
