/**
 * `palisade plan -f DIR [--prune]` and `palisade apply -f DIR [--prune] [--yes]`: policies as
 * code. Both validate every document offline first (all problems at once, as FILE:LINE), then
 * ask the server: plan shows the changes per object and per setting (old → new) and their effect
 * on the fleet (devices reached, configurations changed, conflicts appearing or resolved) and
 * exits 3 when there is something to do; apply shows the plan, asks (unless --yes), and applies
 * it in one transaction on the server — all of it or nothing.
 */
import { createInterface } from 'node:readline/promises';
import type { ConfigObjectChange, ConfigPlan } from '@palisade/protocol';
import type { Command } from 'commander';
import { ApiRequestError, connect, type PalisadeClient } from '../../client.js';
import { UsageError } from '../../config.js';
import { type DocumentSet, loadDocumentSet, locateServerProblem } from '../../documents/set.js';
import {
  CommandFailed,
  EXIT,
  isTerminal,
  print,
  printJson,
  runAction,
  show,
  warn,
} from '../../output.js';
import { formatLocatedProblem, validatePolicyFiles } from '../policy/validate.js';

interface PlanOptions {
  file: string[];
  prune?: boolean;
  json?: boolean;
  yes?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Offline validation, then the document set; prints every problem and fails when there is one. */
async function readValidDocuments(paths: readonly string[]): Promise<DocumentSet> {
  if (paths.length === 0) throw new UsageError('give the documents with -f DIR (or FILE)');
  let outcome: Awaited<ReturnType<typeof validatePolicyFiles>>;
  try {
    outcome = await validatePolicyFiles(paths);
  } catch (error) {
    throw new UsageError(
      `cannot read the documents: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (outcome.problems.length > 0) {
    for (const problem of outcome.problems) warn(formatLocatedProblem(problem));
    throw new CommandFailed(
      `${outcome.problems.length} problem(s) in the documents; nothing was sent to the server`,
    );
  }
  const set = await loadDocumentSet(paths);
  if (set.documents.length === 0) throw new UsageError(`no documents in ${paths.join(', ')}`);
  return set;
}

/** Asks the server; problems it finds in a document are printed at their file and line. */
async function askServer(
  client: PalisadeClient,
  action: 'plan' | 'apply',
  set: DocumentSet,
  prune: boolean,
): Promise<ConfigPlan> {
  try {
    return await client.post<ConfigPlan>(`/api/v1/config/${action}`, {
      documents: set.documents.map((d) => d.value),
      prune,
    });
  } catch (error) {
    if (!(error instanceof ApiRequestError) || error.fields.length === 0) throw error;
    const located = error.fields.map((field) => locateServerProblem(set, field));
    if (located.some((line) => line === null)) throw error;
    for (const line of located) warn(line as string);
    throw new CommandFailed(
      action === 'apply'
        ? `the server refused the documents (${error.code}); nothing was changed`
        : `the server refused the documents (${error.code})`,
    );
  }
}

const SIGN: Readonly<Record<ConfigObjectChange['action'], string>> = {
  create: '+',
  update: '~',
  replace: '±',
  delete: '-',
};

function reachText(change: ConfigObjectChange): string {
  const devices = change.devices;
  if (!devices) return '';
  const noun = (n: number) => `${n} device${n === 1 ? '' : 's'}`;
  if (change.action === 'create') return ` (reaches ${noun(devices.after)})`;
  if (change.action === 'delete') return ` (reached ${noun(devices.before)})`;
  return devices.before === devices.after
    ? ` (reaches ${noun(devices.after)})`
    : ` (devices ${devices.before} → ${devices.after})`;
}

/** The effect on the fleet: devices that get a new configuration or status, and conflicts. */
function formatEffect(effect: ConfigPlan['effect']): string[] {
  const lines: string[] = [];
  lines.push(
    `Effect: ${effect.devicesChanged} device(s) get a new configuration, ${effect.enrollmentChanged} change enrollment status.`,
  );
  for (const device of effect.devices) {
    const parts = device.changes.map((c) => {
      if (c.kind === 'added') return `+${c.id}`;
      if (c.kind === 'removed') return `-${c.id}`;
      if (c.kind === 'changed') return `~${c.id}`;
      return `${c.kind === 'conflict-added' ? 'conflict on' : 'conflict gone on'} ${c.id}`;
    });
    if (device.enrollment)
      parts.unshift(`enrollment ${device.enrollment.before} → ${device.enrollment.after}`);
    if (parts.length > 0) lines.push(`  ${device.hostname}: ${parts.join(', ')}`);
  }
  if (effect.devices.length < effect.devicesChanged) {
    lines.push(`  … and ${effect.devicesChanged - effect.devices.length} more`);
  }
  for (const [title, list] of [
    ['Conflicts appearing', effect.conflictsAppearing],
    ['Conflicts resolved', effect.conflictsResolved],
  ] as const) {
    if (list.length === 0) continue;
    lines.push(`${title} (${list.length}):`);
    for (const c of list) {
      const who = c.candidates.map((k) => `${k.policyName} sets ${show(k.value)}`).join(', ');
      lines.push(`  ${c.hostname} ${c.settingId}: ${who}`);
    }
  }
  return lines;
}

/** The plan as text: one block per object, per field and per setting old → new, then the effect. */
export function formatPlan(plan: ConfigPlan): string[] {
  const lines: string[] = [];
  for (const change of plan.changes) {
    lines.push(
      `${SIGN[change.action]} ${change.action} ${change.kind} ${change.name}${reachText(change)}`,
    );
    if (change.note) lines.push(`    (${change.note})`);
    for (const f of change.fields) {
      if (f.before === undefined) lines.push(`    + ${f.field}: ${show(f.after)}`);
      else if (f.after === undefined) lines.push(`    - ${f.field}: ${show(f.before)}`);
      else lines.push(`    ~ ${f.field}: ${show(f.before)} → ${show(f.after)}`);
    }
    for (const s of change.settings) {
      if (s.kind === 'added') lines.push(`    + settings.${s.settingId}: ${show(s.after)}`);
      else if (s.kind === 'removed') lines.push(`    - settings.${s.settingId}: ${show(s.before)}`);
      else lines.push(`    ~ settings.${s.settingId}: ${show(s.before)} → ${show(s.after)}`);
    }
  }
  if (plan.changes.length > 0) lines.push('', ...formatEffect(plan.effect));
  if (plan.unmanaged.length > 0) {
    lines.push('');
    lines.push(
      `Not in the documents, kept (--prune deletes them): ${plan.unmanaged.map((u) => `${u.kind} ${u.name}`).join(', ')}`,
    );
  }
  lines.push('');
  const count = (action: ConfigObjectChange['action']) =>
    plan.changes.filter((c) => c.action === action).length;
  lines.push(
    plan.changes.length === 0
      ? 'No changes: the tenant matches the documents.'
      : `${plan.applied ? 'Applied' : 'Plan'}: ${count('create')} to create, ${count('update')} to update, ${count('replace')} to replace, ${count('delete')} to delete.`,
  );
  return lines;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

function addDocumentOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'a directory of documents, or a file (repeatable)', collect, [])
    .option('--prune', 'delete the groups, policies and asset rules no document names')
    .option('--json', 'print the plan as JSON');
}

export function registerPlanCommands(program: Command): void {
  addDocumentOptions(
    program
      .command('plan')
      .description('show what applying the documents would change, and its effect on the fleet'),
  )
    .addHelpText(
      'after',
      '\nExit codes: 0 nothing to change, 3 changes to apply, 1 problems or refused, 2 bad usage.\n\nExample:\n  palisade plan -f policies/',
    )
    .action(
      runAction(async (options: PlanOptions) => {
        const set = await readValidDocuments(options.file);
        const client = await connect();
        const plan = await askServer(client, 'plan', set, options.prune === true);
        if (options.json) printJson(plan);
        else for (const line of formatPlan(plan)) print(line);
        return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
      }),
    );

  addDocumentOptions(
    program
      .command('apply')
      .description('apply the documents in one transaction on the server (all or nothing)'),
  )
    .option('--yes', 'apply without asking')
    .addHelpText(
      'after',
      '\nExit codes: 0 applied (or nothing to do), 1 problems or refused (nothing changed), 2 bad usage.\n\nExample:\n  palisade apply -f policies/ --prune --yes',
    )
    .action(
      runAction(async (options: PlanOptions) => {
        const set = await readValidDocuments(options.file);
        const client = await connect();
        const prune = options.prune === true;
        if (!options.yes) {
          if (!process.stdin.isTTY || !isTerminal(process.stderr)) {
            throw new UsageError('not a terminal: pass --yes to apply without asking');
          }
          const plan = await askServer(client, 'plan', set, prune);
          for (const line of formatPlan(plan)) print(line);
          if (plan.changes.length === 0) return EXIT.ok;
          if (!(await confirm('Apply these changes? [y/N] '))) {
            print('Nothing applied.');
            return EXIT.failure;
          }
        }
        const applied = await askServer(client, 'apply', set, prune);
        if (options.json) printJson(applied);
        else for (const line of formatPlan(applied)) print(line);
        return EXIT.ok;
      }),
    );
}
