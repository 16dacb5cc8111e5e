/**
 * `palisade-agent analyze`: the support bundle (a .tar.gz) and a summary of what looks wrong.
 * The bundle holds the enrollment state (credential redacted), the facts as collected now, the
 * effective configuration held, the last report, each driver's native configuration as read back,
 * and the recent log. Findings are sentences an administrator can act on.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JsonValue } from '@palisade/core';
import { create } from 'tar';
import type { DeviceAgent } from '../checkin/device-agent.js';
import { errorMessage } from '../drivers/driver.js';

export interface Finding {
  readonly severity: 'error' | 'warning';
  readonly message: string;
}

export interface SupportBundle {
  readonly file: string;
  readonly entries: readonly string[];
  readonly findings: readonly Finding[];
}

export async function writeSupportBundle(agent: DeviceAgent, out: string): Promise<SupportBundle> {
  const findings: Finding[] = [];
  const files: Record<string, string> = {};
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
  const enrollment = await agent.state.loadEnrollment();
  const options = { root: enrollment?.options.root ?? '/', ...enrollment?.options };
  if (!enrollment) {
    findings.push({
      severity: 'error',
      message: `not enrolled: no enrollment in ${agent.state.dir}; run palisade-agent enroll`,
    });
  } else {
    files['enrollment.json'] = json({ ...enrollment, credential: '(redacted)' });
    const decision = enrollment.enrollment;
    if (decision.code !== 1) {
      findings.push({
        severity: 'error',
        message: `enrollment status ${decision.code} ${decision.name}: ${decision.meaning}${decision.fix ? ` Fix: ${decision.fix}` : ''}`,
      });
    }
  }
  try {
    files['facts.json'] = json(await agent.facts(options));
  } catch (error) {
    findings.push({
      severity: 'error',
      message: `facts cannot be collected: ${errorMessage(error)}`,
    });
  }
  const held = await agent.state.loadConfiguration();
  if (held && enrollment) {
    try {
      files['configuration.json'] = json(agent.verifyHeld(enrollment, held.signed));
    } catch (error) {
      findings.push({ severity: 'error', message: errorMessage(error) });
    }
  } else if (enrollment) {
    findings.push({
      severity: 'warning',
      message: 'no configuration received yet: run palisade-agent sync',
    });
  }
  const lastSync = await agent.state.loadLastSync();
  if (lastSync) {
    files['sync.json'] = json(lastSync);
    if (!lastSync.ok)
      findings.push({
        severity: 'error',
        message: `the last sync (${lastSync.at}) failed: ${lastSync.error}`,
      });
  }
  const report = await agent.state.loadReport();
  if (report) {
    files['report.json'] = json(report);
    if (!report.delivered)
      findings.push({
        severity: 'warning',
        message: `the last report (${report.at}) has not reached the server`,
      });
    for (const result of report.results) {
      if (result.status === 'succeeded') continue;
      const detail =
        result.error ??
        (result.observed !== undefined ? `found ${JSON.stringify(result.observed)}` : '');
      findings.push({
        severity: result.status === 'failed' || result.status === 'conflict' ? 'error' : 'warning',
        message: `${result.id}${result.target ? ` (${result.target})` : ''}: ${result.status}${detail ? ` — ${detail}` : ''}`,
      });
    }
  }
  const drivers = agent.drivers(options);
  if (drivers.length === 0) {
    findings.push({
      severity: 'warning',
      message: `no enforcement target found under ${options.root} (choose drivers with --drivers)`,
    });
  }
  const context = agent.driverContext(options);
  for (const driver of drivers) {
    try {
      files[`native/${driver.target}.json`] = json((await driver.readBack(context)) as JsonValue);
    } catch (error) {
      findings.push({
        severity: 'error',
        message: `${driver.target}: cannot read the native configuration: ${errorMessage(error)}`,
      });
    }
  }
  files['agent.log'] = await agent.state.logTail(500);
  files['findings.json'] = json(findings);
  const dir = await mkdtemp(join(tmpdir(), 'palisade-bundle-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      if (name.startsWith('native/')) await mkdir(join(dir, 'native'), { recursive: true });
      await writeFile(join(dir, name), text, { mode: 0o600 });
    }
    const entries = Object.keys(files).sort();
    await create({ gzip: true, file: out, cwd: dir, portable: true }, entries);
    return { file: out, entries, findings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
