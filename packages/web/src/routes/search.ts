/**
 * Search-parameter parsing for routes: filters, paging and sorting live in the URL so a filtered
 * list can be bookmarked, shared and reached again with the back button.
 */
export type RawSearch = Record<string, unknown>;

/** A non-empty string, or undefined. */
export function optionalString(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** One of the allowed values, or undefined. */
export function optionalOneOf<T extends string>(
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  return typeof value === 'string' && (allowed as readonly string[]).includes(value)
    ? (value as T)
    : undefined;
}

/** A positive integer within bounds, or the fallback. */
export function positiveInt(
  value: unknown,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 1 ? Math.min(number, max) : fallback;
}

export type SortOrder = 'asc' | 'desc';
export const SORT_ORDERS: readonly SortOrder[] = ['asc', 'desc'];

/** A positive integer within bounds, or undefined (the page's default applies). */
export function optionalPositiveInt(
  value: unknown,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(number) && number >= 1 ? Math.min(number, max) : undefined;
}
