/**
 * Loading policy documents from files with their positions: YAML (several documents separated by
 * `---`) or JSON (one document, or an array of documents). Every document keeps its syntax tree,
 * so a problem found later at a path inside it (['settings', 'exclusions.paths', 1]) can be
 * reported at the right line. `policy validate` uses it; `plan` and `apply` reuse it.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  Scalar,
  type Node as YamlNode,
} from 'yaml';

/** One document of a file: its plain value and a way back from a path to a line. */
export interface LoadedDocument {
  readonly file: string;
  /** 0-based position of the document in its file. */
  readonly index: number;
  /** 1-based line where the document starts. */
  readonly line: number;
  readonly value: unknown;
  /** The 1-based line of the deepest node found along `path` (the document's line if none). */
  lineOf(path: readonly (string | number)[]): number;
  /**
   * The line of a position inside a multi-line rule written as a block scalar (`rule: |`);
   * for other scalars the rule's own line.
   */
  ruleLineOf(path: readonly (string | number)[], ruleLine: number): number;
}

/** A problem of the file itself (syntax), before any document validation. */
export interface LoadProblem {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
  readonly message: string;
}

export interface LoadResult {
  readonly documents: readonly LoadedDocument[];
  readonly problems: readonly LoadProblem[];
}

export type DocumentFormat = 'yaml' | 'json';

/** JSON for .json files, YAML for everything else (.yaml, .yml, standard input). */
export function formatOf(file: string): DocumentFormat {
  return extname(file).toLowerCase() === '.json' ? 'json' : 'yaml';
}

/** The node at the end of `path`, or the deepest one on the way, with the line to report. */
function locate(
  root: unknown,
  path: readonly (string | number)[],
  lineCounter: LineCounter,
  fallback: number,
): { node: YamlNode | null; line: number } {
  let node: unknown = root;
  let line = fallback;
  let found: YamlNode | null = null;
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? line : lineCounter.linePos(offset).line;
  for (const step of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(step),
      );
      if (!pair) break;
      const key = pair.key as YamlNode;
      line = lineAt(key.range?.[0]);
      node = pair.value;
      found = (pair.value as YamlNode | null) ?? key;
    } else if (isSeq(node) && typeof step === 'number') {
      const item = node.items[step];
      if (item === undefined) break;
      line = lineAt((item as YamlNode).range?.[0]);
      node = item;
      found = item as YamlNode;
    } else {
      break;
    }
  }
  return { node: found, line };
}

function loadedDocument(
  file: string,
  index: number,
  root: unknown,
  value: unknown,
  lineCounter: LineCounter,
  line: number,
): LoadedDocument {
  return {
    file,
    index,
    line,
    value,
    lineOf: (path) => locate(root, path, lineCounter, line).line,
    ruleLineOf: (path, ruleLine) => {
      const { node, line: nodeLine } = locate(root, path, lineCounter, line);
      // A block scalar's text starts on the line after its `|` or `>` header.
      const isBlock =
        isScalar(node) && (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED);
      return isBlock ? nodeLine + ruleLine : nodeLine;
    },
  };
}

/** Where JSON.parse failed, from its message ("... at position 42 ..."), as a line. */
function jsonErrorLine(text: string, message: string): number {
  const match = /position (\d+)/.exec(message);
  if (!match) return 1;
  return text.slice(0, Number(match[1])).split('\n').length;
}

/**
 * Parses the text of one file into documents with positions, or syntax problems. YAML anchors and
 * aliases are resolved (with a limit against alias bombs); duplicate keys are problems.
 */
export function loadDocumentsFromText(
  file: string,
  text: string,
  format: DocumentFormat,
): LoadResult {
  if (format === 'json') {
    try {
      JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        documents: [],
        problems: [
          { file, line: jsonErrorLine(text, message), message: `not valid JSON: ${message}` },
        ],
      };
    }
  }
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  const problems: LoadProblem[] = [];
  const documents: LoadedDocument[] = [];
  for (const doc of docs) {
    for (const error of doc.errors) {
      const position = error.linePos?.[0];
      problems.push({
        file,
        line: position?.line ?? 1,
        ...(position ? { column: position.col } : {}),
        // The parser's message repeats the position ("... at line 3, column 1:"); it is printed once.
        message: (error.message.split('\n')[0] ?? error.message).replace(
          /\s*at line \d+, column \d+:?$/,
          '',
        ),
      });
    }
  }
  if (problems.length > 0) return { documents, problems };
  for (const doc of docs) {
    if (doc.contents === null) continue;
    const start = lineCounter.linePos(doc.contents.range?.[0] ?? 0).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (error) {
      problems.push({
        file,
        line: start,
        message: error instanceof Error ? error.message : String(error),
      });
      continue;
    }
    // A JSON file may hold an array of documents; each item is then a document of its own.
    if (format === 'json' && Array.isArray(value) && isSeq(doc.contents)) {
      const seq = doc.contents;
      value.forEach((item: unknown, index) => {
        const node = seq.items[index] as YamlNode | undefined;
        const line = lineCounter.linePos(node?.range?.[0] ?? 0).line;
        documents.push(loadedDocument(file, documents.length, node, item, lineCounter, line));
      });
      continue;
    }
    documents.push(loadedDocument(file, documents.length, doc.contents, value, lineCounter, start));
  }
  if (documents.length === 0 && problems.length === 0) {
    problems.push({ file, line: 1, message: 'the file holds no documents' });
  }
  return { documents, problems };
}

/** Reads and parses one file (format by extension). Throws only when the file cannot be read. */
export async function loadDocumentFile(file: string): Promise<LoadResult> {
  const text = await readFile(file, 'utf8');
  return loadDocumentsFromText(file, text, formatOf(file));
}

const DOCUMENT_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/**
 * The document files named by the arguments: files as given, directories searched recursively
 * for .yaml, .yml and .json files (sorted, so output is stable).
 */
export async function expandDocumentPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path);
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true });
    const names = entries.map((entry) => entry.name).sort();
    for (const name of names) {
      const entry = entries.find((e) => e.name === name);
      if (!entry || name.startsWith('.')) continue;
      const child = join(path, name);
      if (entry.isDirectory()) files.push(...(await expandDocumentPaths([child])));
      else if (DOCUMENT_EXTENSIONS.has(extname(name).toLowerCase())) files.push(child);
    }
  }
  return files;
}
