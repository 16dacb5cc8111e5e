/**
 * `palisade apply -f DIR [--prune] [--yes]`: shows the plan, asks (unless --yes; without a
 * terminal --yes is required), and applies the documents in ONE transaction on the server — all
 * of them, or nothing.
 */
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { EXIT, isTerminal, print, printJson, runAction } from '../../output.js';
import {
  addDocumentOptions,
  askServer,
  type DocumentOptions,
  readValidDocuments,
} from './documents.js';
import { formatPlan } from './format.js';

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

export function registerApplyCommand(program: Command): void {
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
      runAction(async (options: DocumentOptions) => {
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
