/**
 * The typed syntax tree of a rule (the directory's dynamic membership rule language, shared by
 * dynamic groups, asset rules and assignment filters). Immutable, tagged by `kind`, free of source
 * positions so that `parseRule(printRule(ast))` yields an equal tree. Property names are stored in
 * their canonical spelling (the rule may spell them in any case), operators without hyphen.
 */

/** Comparison operators, by their canonical (hyphen-less) spelling. */
export const COMPARISON_OPERATORS = [
  'eq',
  'ne',
  'startsWith',
  'notStartsWith',
  'endsWith',
  'notEndsWith',
  'contains',
  'notContains',
  'match',
  'notMatch',
  'in',
  'notIn',
  'gt',
  'ge',
  'lt',
  'le',
] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** The collection quantifiers over a multi-valued property. */
export const QUANTIFIERS = ['any', 'all'] as const;
export type Quantifier = (typeof QUANTIFIERS)[number];

/** A value on the right of a comparison. */
export type RuleValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  /** A dotted version such as 10.0.22631.3235 (version properties only; compared numerically). */
  | { readonly kind: 'version'; readonly value: string }
  | { readonly kind: 'array'; readonly items: readonly ArrayItem[] };

export type ArrayItem =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number };

/**
 * What a comparison reads: a property of the object (`device.deviceOSType`), or the current item
 * of the collection an enclosing `-any`/`-all` walks (`_`, spelled `group.objectId` under memberOf).
 */
export type RuleSubject =
  | { readonly kind: 'property'; readonly name: string }
  | { readonly kind: 'element' };

export interface ComparisonNode {
  readonly kind: 'comparison';
  readonly subject: RuleSubject;
  readonly operator: ComparisonOperator;
  readonly value: RuleValue;
}

/** `device.<multi-valued property> -any|-all (<condition on _>)`. */
export interface CollectionNode {
  readonly kind: 'collection';
  readonly quantifier: Quantifier;
  readonly property: string;
  readonly condition: RuleAst;
}

export interface AndNode {
  readonly kind: 'and';
  readonly left: RuleAst;
  readonly right: RuleAst;
}

export interface OrNode {
  readonly kind: 'or';
  readonly left: RuleAst;
  readonly right: RuleAst;
}

export interface NotNode {
  readonly kind: 'not';
  readonly operand: RuleAst;
}

export type RuleAst = ComparisonNode | CollectionNode | AndNode | OrNode | NotNode;
