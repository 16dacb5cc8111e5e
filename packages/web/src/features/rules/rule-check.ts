/**
 * Live syntax check of a rule that has no preview (assignment filters): the server's parser
 * answers the diagnostics while the administrator types.
 */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import type { RuleProblem } from '../../components/rule-editor.js';

interface RuleCheckAnswer {
  readonly valid: boolean;
  readonly diagnostics: readonly RuleProblem[];
}

export function useRuleCheck(schema: 'device' | 'asset' | 'filter', rule: string) {
  const [debounced] = useDebouncedValue(rule, 250);
  const query = useQuery({
    queryKey: ['rule-check', schema, debounced],
    queryFn: ({ signal }) =>
      api<RuleCheckAnswer>('/rules/check', {
        method: 'POST',
        body: { rule: debounced, schema },
        signal,
      }),
    enabled: debounced.trim() !== '',
    placeholderData: keepPreviousData,
    retry: false,
  });
  const settled = debounced === rule && !query.isFetching;
  return { problems: settled && query.data && !query.data.valid ? query.data.diagnostics : [] };
}
