/**
 * A directory of documents as plan and apply send it: every document of every file, in file
 * order, with the way back from a server problem (`documents.3.settings.exclusions.paths.1`) to
 * the file and line it came from. Setting ids contain dots, so the path is matched against the
 * document's own keys, longest key first.
 */
import { expandDocumentPaths, type LoadedDocument, loadDocumentFile } from './load.js';

export interface DocumentSet {
  readonly files: readonly string[];
  readonly documents: readonly LoadedDocument[];
}

export async function loadDocumentSet(paths: readonly string[]): Promise<DocumentSet> {
  const files = await expandDocumentPaths(paths);
  const documents: LoadedDocument[] = [];
  for (const file of files) documents.push(...(await loadDocumentFile(file)).documents);
  return { files, documents };
}

/** Splits a dotted path into the keys and indexes of `value` it walks through. */
export function pathInDocument(value: unknown, dotted: readonly string[]): (string | number)[] {
  const path: (string | number)[] = [];
  let node: unknown = value;
  let rest = [...dotted];
  while (rest.length > 0) {
    if (Array.isArray(node) && /^\d+$/.test(rest[0] ?? '')) {
      const index = Number(rest[0]);
      path.push(index);
      node = node[index];
      rest = rest.slice(1);
      continue;
    }
    if (node === null || typeof node !== 'object') {
      path.push(rest.join('.'));
      break;
    }
    const record = node as Record<string, unknown>;
    let taken = 0;
    for (let n = rest.length; n >= 1; n--) {
      if (Object.hasOwn(record, rest.slice(0, n).join('.'))) {
        taken = n;
        break;
      }
    }
    if (taken === 0) {
      path.push(rest.join('.'));
      break;
    }
    const key = rest.slice(0, taken).join('.');
    path.push(key);
    node = record[key];
    rest = rest.slice(taken);
  }
  return path;
}

/** A server problem at `documents.N.…` as `FILE:LINE: path: message`; null for other paths. */
export function locateServerProblem(
  set: DocumentSet,
  problem: { readonly path: string; readonly message: string },
): string | null {
  const [head, indexText, ...rest] = problem.path.split('.');
  if (head !== 'documents' || indexText === undefined || !/^\d+$/.test(indexText)) return null;
  const document = set.documents[Number(indexText)];
  if (!document) return null;
  const path = pathInDocument(document.value, rest);
  const shown = path
    .map((step, i) => (typeof step === 'number' ? `[${step}]` : i === 0 ? step : `.${step}`))
    .join('');
  const line = document.lineOf(path);
  return shown === ''
    ? `${document.file}:${line}: ${problem.message}`
    : `${document.file}:${line}: ${shown}: ${problem.message}`;
}
