/**
 * Statements of the hot paths (a check-in carrying facts, a report), built with Kysely once per
 * database engine and shape, then run from their SQL text with each call's parameters.
 *
 * Building a Kysely query makes its whole operation tree (frozen nodes, one per column, value and
 * condition) and compiling it walks that tree into text, on every call: in the groups
 * benchmark's facts window that was half of what the server allocated (58 of 114 MB, so twice
 * the young-generation collections) and a fifth of its CPU time, for SQL text that never
 * changes. A statement here is built the first time with a marker in place of each parameter;
 * the compiled text is kept with where each marker landed, and later calls only fill the list.
 *
 * The shape (a number or a short string) is what changes the text: a multi-row insert's row
 * count, which optional columns an UPDATE sets. Each shape is compiled once, per engine (the
 * adapter of the Kysely instance: a transaction shares its database's). A Kysely instance with
 * plugins (which may rewrite a query) is compiled every time, as before.
 */
import { type Compilable, CompiledQuery, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';

/** A parameter's stand-in while building: no SQL value the product binds looks like it. */
const MARKER = '\u0000palisade-parameter:';
/** Past this many shapes of one statement, further shapes are compiled on every call. */
const MAX_SHAPES = 512;

/** Where a compiled parameter comes from: the call's parameter at this index, or a constant. */
type Slot = number | { readonly constant: unknown };

interface Compiled {
  readonly sql: string;
  readonly slots: readonly Slot[];
}

/**
 * The stand-in for parameter `index` of the call (see {@link PreparedStatement}). Typed `never`
 * so that it fits any column's type while building; it is a marker string, bound later.
 */
export type Parameter = (index: number) => never;

export class PreparedStatement<Shape extends number | string = number> {
  readonly #build: (db: Kysely<Database>, parameter: Parameter, shape: Shape) => Compilable;
  readonly #compiled = new WeakMap<object, Map<Shape, Compiled>>();

  /**
   * `build` writes the statement for a shape with `parameter(i)` wherever the call's i-th
   * parameter goes (each index at least once; constants may be written as they are).
   */
  constructor(build: (db: Kysely<Database>, parameter: Parameter, shape: Shape) => Compilable) {
    this.#build = build;
  }

  /** Runs the statement of this shape with these parameters (in the order `build` numbered). */
  async execute<R>(
    db: Kysely<Database>,
    shape: Shape,
    parameters: readonly unknown[],
  ): Promise<QueryResult<R>> {
    const compiled = this.#compiledFor(db, shape);
    const values = new Array<unknown>(compiled.slots.length);
    for (let i = 0; i < compiled.slots.length; i++) {
      const slot = compiled.slots[i] as Slot;
      values[i] = typeof slot === 'number' ? parameters[slot] : slot.constant;
    }
    return db.executeQuery<R>(CompiledQuery.raw(compiled.sql, values));
  }

  #compiledFor(db: Kysely<Database>, shape: Shape): Compiled {
    const executor = db.getExecutor();
    if (executor.plugins.length > 0) return compile(this.#build(db, marker, shape));
    let shapes = this.#compiled.get(executor.adapter);
    if (!shapes) {
      shapes = new Map();
      this.#compiled.set(executor.adapter, shapes);
    }
    let compiled = shapes.get(shape);
    if (!compiled) {
      compiled = compile(this.#build(db, marker, shape));
      if (shapes.size < MAX_SHAPES) shapes.set(shape, compiled);
    }
    return compiled;
  }
}

/**
 * The values of a multi-row insert of `rows` rows: each column's stand-in, the call's
 * parameters row by row, each row's in column order.
 */
export function insertRows<C extends string>(
  columns: readonly C[],
  parameter: Parameter,
  rows: number,
): Record<C, never>[] {
  return Array.from({ length: rows }, (_, row) => {
    const values = {} as Record<C, never>;
    columns.forEach((column, i) => {
      values[column] = parameter(row * columns.length + i);
    });
    return values;
  });
}

/** The stand-ins of `count` parameters from `first` on (an `in (…)` list). */
export function parameterList(parameter: Parameter, first: number, count: number): never[] {
  return Array.from({ length: count }, (_, i) => parameter(first + i));
}

/**
 * Stand-ins handed out in order, 0, 1, 2…: for a statement whose parts depend on the shape, so
 * the call pushes its parameters in the order the build asked for them.
 */
export function inOrder(parameter: Parameter): () => never {
  let next = 0;
  return () => parameter(next++);
}

function marker(index: number): never {
  return `${MARKER}${index}` as never;
}

function compile(query: Compilable): Compiled {
  const { sql, parameters } = query.compile();
  // A marker in the text would be a value Kysely wrote inline instead of binding it.
  if (sql.includes(MARKER)) throw new Error(`PreparedStatement: a parameter was inlined: ${sql}`);
  const slots = parameters.map((value): Slot => {
    if (typeof value === 'string' && value.startsWith(MARKER)) {
      return Number(value.slice(MARKER.length));
    }
    return { constant: value };
  });
  return { sql, slots };
}
