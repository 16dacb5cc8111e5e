/**
 * Slows down password guessing: after MAX_FAILURES wrong passwords for one username within
 * WINDOW_MS, sign-in for that username is refused (429, even with the right password) until the
 * oldest failure leaves the window. Kept in memory per server process: with several processes,
 * each one counts on its own, which still bounds guessing to a small multiple.
 */
export const MAX_FAILURES = 10;
export const WINDOW_MS = 15 * 60 * 1000;

export class SignInThrottle {
  private readonly failures = new Map<string, number[]>();

  /** Milliseconds until the username may try again; 0 when it may now. */
  retryAfterMs(username: string, now: Date): number {
    const recent = this.recent(username, now);
    if (recent.length < MAX_FAILURES) return 0;
    return (recent[recent.length - MAX_FAILURES] as number) + WINDOW_MS - now.getTime();
  }

  recordFailure(username: string, now: Date): void {
    const recent = this.recent(username, now);
    recent.push(now.getTime());
    this.failures.set(username, recent);
    // Bound the memory an attacker can make us hold by spraying usernames.
    if (this.failures.size > 10_000) {
      for (const key of this.failures.keys()) {
        if (this.recent(key, now).length === 0) this.failures.delete(key);
      }
    }
  }

  recordSuccess(username: string): void {
    this.failures.delete(username);
  }

  private recent(username: string, now: Date): number[] {
    const since = now.getTime() - WINDOW_MS;
    return (this.failures.get(username) ?? []).filter((at) => at > since);
  }
}
