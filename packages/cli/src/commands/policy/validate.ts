/**
 * `palisade policy validate FILE...`: checks policy documents offline, exactly as the server will:
 * the document structure, every policy's settings against the catalog, every rule with the rule
 * parser, and names unique across all the files. Prints each problem as `FILE:LINE: path: message`;
 * exit 0 when everything is valid, 1 when not, 2 when a file cannot be read.
 */
import {
  type DocumentProblem,
  describeLocation,
  type PalisadeDocument,
  validateDocument,
  validateDocumentSet,
} from '@palisade/core';
import type { Command } from 'commander';
import {
  expandDocumentPaths,
  type LoadedDocument,
  loadDocumentFile,
} from '../../documents/load.js';

/** One problem, located in a file. */
export interface LocatedProblem {
  readonly file: string;
  readonly line: number;
  readonly path: string;
  readonly message: string;
}

/** ['settings', 'exclusions.paths', 1] → settings.exclusions.paths[1]. */
function formatPath(path: readonly (string | number)[]): string {
  const [first, ...rest] = path;
  if (first === undefined) return '';
  return describeLocation(String(first), rest);
}

/**
 * Catalog messages already start with the setting's location ("exclusions.paths[1]: ..."); the
 * path printed before them says the same, so the repeat is dropped.
 */
function messageWithoutLocation(path: readonly (string | number)[], message: string): string {
  const [first, id, ...rest] = path;
  if (first !== 'settings' || typeof id !== 'string') return message;
  const prefix = `${describeLocation(id, rest)}: `;
  return message.startsWith(prefix) ? message.slice(prefix.length) : message;
}

function locate(document: LoadedDocument, problem: DocumentProblem): LocatedProblem {
  const line = problem.rulePosition
    ? document.ruleLineOf(problem.path, problem.rulePosition.line)
    : document.lineOf(problem.path);
  return {
    file: document.file,
    line,
    path: formatPath(problem.path),
    message: messageWithoutLocation(problem.path, problem.message),
  };
}

export function formatLocatedProblem(problem: LocatedProblem): string {
  return problem.path === ''
    ? `${problem.file}:${problem.line}: ${problem.message}`
    : `${problem.file}:${problem.line}: ${problem.path}: ${problem.message}`;
}

/** Validates the documents of the given files and directories; every problem, in file order. */
export async function validatePolicyFiles(
  paths: readonly string[],
): Promise<{ problems: LocatedProblem[]; documents: number; files: number }> {
  const files = await expandDocumentPaths(paths);
  const problems: LocatedProblem[] = [];
  const valid: { document: PalisadeDocument; loaded: LoadedDocument }[] = [];
  let documents = 0;
  for (const file of files) {
    const loaded = await loadDocumentFile(file);
    for (const p of loaded.problems) {
      problems.push({ file: p.file, line: p.line, path: '', message: p.message });
    }
    for (const document of loaded.documents) {
      documents++;
      const result = validateDocument(document.value);
      if (result.ok) valid.push({ document: result.document, loaded: document });
      else problems.push(...result.problems.map((p) => locate(document, p)));
    }
  }
  for (const p of validateDocumentSet(valid.map((v) => v.document))) {
    const entry = valid[p.index];
    const first = valid[p.firstIndex]?.loaded;
    if (!entry || !first) continue;
    const located = locate(entry.loaded, p);
    const where = `${first.file}:${first.lineOf(p.path)}`;
    problems.push({ ...located, message: `${located.message} (first at ${where})` });
  }
  // Problems in reading order: by file as given, then by line.
  const order = new Map(files.map((file, index) => [file, index]));
  problems.sort((a, b) => (order.get(a.file) ?? 0) - (order.get(b.file) ?? 0) || a.line - b.line);
  return { problems, documents, files: files.length };
}

/** "1 document", "3 documents". */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

export function registerValidateCommand(policy: Command): void {
  policy
    .command('validate')
    .description('check policy documents (YAML or JSON) against the catalog and the rule language')
    .argument('<files...>', 'document files (.yaml, .yml, .json) or directories of them')
    .option('--json', 'print the problems as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Documents (YAML, separated by ---; or JSON, one object or an array):',
        '  kind: Group           name, rule (dynamic) or members (assigned)',
        '  kind: Policy          name, platform, profile, settings, assignments {include, exclude, filter}',
        '  kind: AssetRule       name, rule, tag',
        '  kind: TenantSettings  enforcementScope, configMgrAuthority, cloudConnector, ...',
        '',
        'Exit codes: 0 valid, 1 problems found, 2 bad usage or unreadable file.',
        '',
        'Example:',
        '  palisade policy validate policies/',
      ].join('\n'),
    )
    .action(async (paths: string[], options: { json?: boolean }) => {
      let outcome: Awaited<ReturnType<typeof validatePolicyFiles>>;
      try {
        outcome = await validatePolicyFiles(paths);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        process.stderr.write(`palisade: cannot read the documents: ${reason}\n`);
        process.exitCode = 2;
        return;
      }
      const { problems, documents, files } = outcome;
      if (options.json) {
        process.stdout.write(
          `${JSON.stringify({ valid: problems.length === 0, documents, files, problems }, null, 2)}\n`,
        );
      } else {
        for (const problem of problems) process.stdout.write(`${formatLocatedProblem(problem)}\n`);
        const summary =
          problems.length === 0
            ? `valid: ${count(documents, 'document')} in ${count(files, 'file')}`
            : `${count(problems.length, 'problem')} in ${count(documents, 'document')}`;
        (problems.length === 0 ? process.stdout : process.stderr).write(`${summary}\n`);
      }
      process.exitCode = problems.length === 0 ? 0 : 1;
    });
}
