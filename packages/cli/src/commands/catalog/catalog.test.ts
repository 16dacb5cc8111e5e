/**
 * The catalog commands, run as an administrator runs them: the built `palisade` binary in a
 * child process.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));

function palisade(args: readonly string[]) {
  const result = spawnSync(process.execPath, [`${repoRoot}packages/cli/dist/main.js`, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  // One build at a time: other CLI test files build the same output.
  execFileSync('flock', ['/tmp/palisade-cli-build.lock', 'npx', 'tsc', '-b', 'packages/cli'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
});

describe('palisade catalog list', () => {
  it('prints a table of id, type, platforms and profile', () => {
    const result = palisade([
      'catalog',
      'list',
      '--platform',
      'linux',
      '--profile',
      'antivirus-exclusions',
    ]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TYPE\s+PLATFORMS\s+PROFILE$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/))).toEqual([
      ['exclusions.extensions', 'string-list', 'windows,macos,linux', 'antivirus-exclusions'],
      ['exclusions.mergePolicy', 'choice', 'macos,linux', 'antivirus-exclusions'],
      ['exclusions.paths', 'string-list', 'windows,macos,linux', 'antivirus-exclusions'],
      ['exclusions.processes', 'string-list', 'windows,macos,linux', 'antivirus-exclusions'],
    ]);
  });

  it('prints JSON definitions with --json', () => {
    const result = palisade(['catalog', 'list', '--profile', 'attack-surface-reduction', '--json']);
    expect(result.code).toBe(0);
    const settings = JSON.parse(result.stdout) as { id: string; type: { kind: string } }[];
    expect(settings.map((s) => s.id)).toContain('asr.rules');
    expect(settings.find((s) => s.id === 'asr.rules')?.type.kind).toBe('map');
  });

  it('refuses an unknown platform as a usage error (exit 2)', () => {
    const result = palisade(['catalog', 'list', '--platform', 'bsd']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'bsd' is invalid");
  });
});

describe('palisade catalog show', () => {
  it('shows type, values, default and the native name per target', () => {
    const result = palisade(['catalog', 'show', 'antivirus.puaProtection']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('antivirus.puaProtection: Potentially unwanted applications');
    expect(result.stdout).toMatch(/^platforms:\s+windows, macos, linux$/m);
    expect(result.stdout).toMatch(/^ {2}audit\s+Audit \(report only\)$/m);
    expect(result.stdout).toMatch(/^default:\s+"off" \(linux: "audit", macos: "audit"\)$/m);
    expect(result.stdout).toContain('windows-defender: PUAProtection');
    expect(result.stdout).toContain('values: off → 0, block → 1, audit → 2');
    expect(result.stdout).toContain('clamav: DetectPUA');
  });

  it('shows the fields of a structured list', () => {
    const result = palisade(['catalog', 'show', 'firewall.rules']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ {2}direction \*\s+choice/m);
    expect(result.stdout).toMatch(/^ {2}program\s+string\s+windows/m);
    expect(result.stdout).toMatch(/^merge:\s+keyed-union$/m);
  });

  it('prints JSON with --json', () => {
    const result = palisade(['catalog', 'show', 'exclusions.paths', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({
      id: 'exclusions.paths',
      merge: 'union',
      native: { clamav: { name: 'ExcludePath' } },
    });
  });

  it('exits 1 on an unknown id and suggests the one meant', () => {
    const result = palisade(['catalog', 'show', 'antivirus.realtimeProtection']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'palisade: no setting "antivirus.realtimeProtection"; did you mean antivirus.realTimeProtection?\n',
    );
  });

  it('has help', () => {
    const result = palisade(['catalog', 'show', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: palisade catalog show [options] <id>');
  });
});

describe('palisade catalog profiles', () => {
  it('marks security-experience as refused', () => {
    const result = palisade(['catalog', 'profiles']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^security-experience\s+windows\s+\d+\s+refused/m);
    expect(result.stdout).toMatch(/^firewall-rules\s+windows,linux\s+1\s+delivered/m);
  });
});
