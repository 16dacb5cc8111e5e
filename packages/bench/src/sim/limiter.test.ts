import { describe, expect, it } from 'vitest';
import { Limiter, LimiterClosedError } from './limiter.js';

describe('Limiter', () => {
  it('never runs more than its limit at once, and runs everything queued', async () => {
    const limiter = new Limiter(3);
    let running = 0;
    let most = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
    };
    await Promise.all(Array.from({ length: 20 }, () => limiter.run(task)));
    expect(most).toBe(3);
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses queued and later calls once closed', async () => {
    const limiter = new Limiter(1);
    await limiter.acquire();
    const queued = limiter.acquire();
    limiter.close();
    await expect(queued).rejects.toBeInstanceOf(LimiterClosedError);
    await expect(limiter.run(async () => 1)).rejects.toBeInstanceOf(LimiterClosedError);
  });
});
