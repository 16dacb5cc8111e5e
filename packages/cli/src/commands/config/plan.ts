/**
 * `palisade plan -f DIR [--prune]`: the changes that applying the documents would make, per
 * object and per setting (old → new), and their effect on the fleet (devices reached,
 * configurations changed, conflicts appearing or resolved), measured by the server. Exits 3 when
 * there is something to apply, 0 when the tenant matches the documents.
 */
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { EXIT, print, printJson, runAction } from '../../output.js';
import {
  addDocumentOptions,
  askServer,
  type DocumentOptions,
  readValidDocuments,
} from './documents.js';
import { formatPlan } from './format.js';

export function registerPlanCommand(program: Command): void {
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
      runAction(async (options: DocumentOptions) => {
        const set = await readValidDocuments(options.file);
        const client = await connect();
        const plan = await askServer(client, 'plan', set, options.prune === true);
        if (options.json) printJson(plan);
        else for (const line of formatPlan(plan)) print(line);
        return plan.changes.length > 0 ? EXIT.changes : EXIT.ok;
      }),
    );
}
