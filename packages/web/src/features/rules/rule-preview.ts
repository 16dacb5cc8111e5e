/**
 * Live rule checking while the administrator types: after a short pause the draft rule goes to the
 * server's preview endpoint, which parses it with the same parser that saves it and answers either
 * the diagnostics (line, column, span) or how many devices match and the first of them.
 */
import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, api } from '../../api/client.js';
import type { DeviceSummary, RulePreviewRequest, RulePreviewResponse } from '../../api/types.js';
import type { RuleProblem } from '../../components/rule-spans.js';
import { ruleProblemsOf } from './rule-problems.js';

export type RulePreviewEndpoint = '/groups/preview' | '/asset-rules/preview';

export type RulePreview =
  | { readonly kind: 'matches'; readonly count: number; readonly devices: readonly DeviceSummary[] }
  | { readonly kind: 'invalid'; readonly problems: readonly RuleProblem[] };

async function fetchPreview(
  endpoint: RulePreviewEndpoint,
  rule: string,
  signal: AbortSignal,
): Promise<RulePreview> {
  try {
    const body: RulePreviewRequest = { rule, limit: 10 };
    const answer = await api<RulePreviewResponse>(endpoint, { method: 'POST', body, signal });
    return answer.valid
      ? { kind: 'matches', count: answer.count, devices: answer.devices }
      : { kind: 'invalid', problems: answer.diagnostics };
  } catch (error) {
    if (error instanceof ApiError && error.status === 400) {
      const problems = ruleProblemsOf(error, () => true);
      if (problems.length > 0) return { kind: 'invalid', problems };
    }
    throw error;
  }
}

/** The preview of `rule`, checked 250 ms after the last keystroke. */
export function useRulePreview(endpoint: RulePreviewEndpoint, rule: string, enabled = true) {
  const [debounced] = useDebouncedValue(rule, 250);
  const query = useQuery({
    queryKey: ['rule-preview', endpoint, debounced],
    queryFn: ({ signal }) => fetchPreview(endpoint, debounced, signal),
    enabled: enabled && debounced.trim() !== '',
    placeholderData: keepPreviousData,
    retry: false,
    staleTime: 5_000,
  });
  return {
    ...query,
    /** True while the text on screen has not been checked yet. */
    settling: debounced !== rule || query.isFetching,
  };
}
