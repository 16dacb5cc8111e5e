import { useQuery } from '@tanstack/react-query';
import { api } from '../../api/client.js';
import { itemsOf } from '../../api/lists.js';

/** One enrollment status as the server documents it. */
export interface EnrollmentStatusInfo {
  readonly code: number;
  readonly name: string;
  readonly meaning: string;
  readonly fix: string | null;
}

type Answer = { readonly items: readonly EnrollmentStatusInfo[] } | readonly EnrollmentStatusInfo[];

/** Every enrollment status code with its meaning and fix (for filters and explanations). */
export function useEnrollmentStatuses() {
  return useQuery({
    queryKey: ['enrollment-statuses'],
    queryFn: async () => itemsOf(await api<Answer>('/enrollment-statuses')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}
