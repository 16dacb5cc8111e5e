/**
 * The command line as an administrator meets it, through the built binary: usage errors exit 2
 * and name the option, a machine that is not enrolled is told how to enrol it (exit 1), and a bad
 * facts file is refused naming its field before anything reaches a server.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { agentBin, ensureAgentBuilt } from './built-agent.js';

const agent = (...args: string[]) => {
  const outcome = spawnSync(process.execPath, [agentBin, ...args], { encoding: 'utf8' });
  return { code: outcome.status, out: outcome.stdout, err: outcome.stderr };
};

describe('palisade-agent command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-agent-cli-'));
  const stateDir = join(dir, 'state');

  beforeAll(() => {
    ensureAgentBuilt();
  });

  it('refuses an unknown driver as a usage error, naming it and the known ones', () => {
    const outcome = agent('sync', '--state-dir', stateDir, '--drivers', 'mdatp,bogus');
    expect(outcome.code).toBe(2);
    expect(outcome.err).toContain('unknown driver "bogus"');
    expect(outcome.err).toContain('mdatp, clamav, nftables, macos-defender, windows-defender');
  });

  it('says a machine is not enrolled, and how to enrol it', () => {
    const status = agent('status', '--state-dir', stateDir);
    expect(status.code).toBe(1);
    expect(status.out).toContain(`not enrolled (state directory ${stateDir})`);
    expect(status.out).toContain('fix: palisade-agent enroll --server URL --token TOKEN');
    const sync = agent('sync', '--state-dir', stateDir);
    expect(sync.code).toBe(1);
    expect(sync.err).toMatch(/not enrolled .*palisade-agent enroll --server URL --token TOKEN/);
  });

  it('needs --server and --token to enrol (exit 2)', () => {
    const outcome = agent('enroll', '--state-dir', stateDir, '--server', 'http://127.0.0.1:9');
    expect(outcome.code).toBe(2);
    expect(outcome.err).toContain("required option '--token <token>' not specified");
  });

  it('refuses a facts file with a bad value before contacting the server, naming the field', () => {
    const facts = join(dir, 'facts.json');
    writeFileSync(facts, JSON.stringify({ platform: 'beos' }));
    // Port 9 (discard) has no server: the error must come from the facts file, not the network.
    const outcome = agent(
      'enroll',
      '--state-dir',
      stateDir,
      '--server',
      'http://127.0.0.1:9',
      '--token',
      'onboarding-token',
      '--facts',
      facts,
    );
    expect(outcome.code).toBe(1);
    expect(outcome.err).toMatch(new RegExp(`${facts}: platform: `));
  });
});
