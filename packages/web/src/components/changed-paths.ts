/**
 * What changed between two JSON values, as the paths that differ: objects are flattened to
 * `a.b[2].c` paths, so a one-field change in a large object (an audit entry's before/after) is
 * one row, not two whole documents.
 */
type Flat = Map<string, unknown>;

function flatten(value: unknown, path: string, into: Flat): Flat {
  if (Array.isArray(value)) {
    if (value.length === 0) into.set(path, []);
    value.forEach((item, index) => {
      flatten(item, `${path}[${index}]`, into);
    });
  } else if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) into.set(path, {});
    for (const [key, item] of entries) flatten(item, path ? `${path}.${key}` : key, into);
  } else {
    into.set(path, value);
  }
  return into;
}

export interface ChangedPath {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** The paths whose value differs between `before` and `after` (absent on one side: undefined). */
export function changedPaths(before: unknown, after: unknown): ChangedPath[] {
  const a = flatten(before ?? null, '', new Map());
  const b = flatten(after ?? null, '', new Map());
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  return paths
    .filter((path) => JSON.stringify(a.get(path)) !== JSON.stringify(b.get(path)))
    .map((path) => ({ path: path || '(value)', before: a.get(path), after: b.get(path) }));
}
