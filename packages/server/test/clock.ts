/**
 * A clock the tests move by hand, given to the server as its `clock`: sessions and tokens expire
 * and devices go unseen without a test waiting (tests never assert on the real time).
 */
export interface ManualClock {
  now(): Date;
  /** Moves the clock forward by this many milliseconds. */
  advance(ms: number): void;
}

export function manualClock(start = new Date('2026-01-01T00:00:00.000Z')): ManualClock {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
}
