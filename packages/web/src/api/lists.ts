/** Reference lists may answer `{ items }` or a bare array; pages read both the same way. */
export function itemsOf<T>(
  answer: { readonly items: readonly T[] } | readonly T[] | undefined,
): readonly T[] {
  if (!answer) return [];
  return Array.isArray(answer)
    ? (answer as readonly T[])
    : (answer as { items: readonly T[] }).items;
}
