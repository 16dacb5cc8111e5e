/**
 * What plan and apply share: the -f / --prune / --json options, the offline validation of the
 * documents (every problem at once, as FILE:LINE, before anything is sent), and the request to
 * the server, whose problems with a document are printed at the file and line it came from.
 */
import type { ConfigPlan } from '@palisade/protocol';
import type { Command } from 'commander';
import { ApiRequestError, type PalisadeClient } from '../../client.js';
import { UsageError } from '../../config.js';
import { type DocumentSet, loadDocumentSet, locateServerProblem } from '../../documents/set.js';
import { CommandFailed, warn } from '../../output.js';
import { formatLocatedProblem, validatePolicyFiles } from '../policy/validate.js';

export interface DocumentOptions {
  file: string[];
  prune?: boolean;
  json?: boolean;
  yes?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Offline validation, then the document set; prints every problem and fails when there is one. */
export async function readValidDocuments(paths: readonly string[]): Promise<DocumentSet> {
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
export async function askServer(
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

export function addDocumentOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'a directory of documents, or a file (repeatable)', collect, [])
    .option('--prune', 'delete the groups, policies and asset rules no document names')
    .option('--json', 'print the plan as JSON');
}
