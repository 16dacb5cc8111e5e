/**
 * Sync now: ask the server to push a `sync` notice to a device, a group's devices or the whole
 * tenant, then follow the request's progress (devices asked, devices that checked in and reported
 * back) by polling it once a second until every device answered or a minute passed.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client.js';
import type { SyncProgress, SyncResponse } from '../../api/types.js';

export type SyncScope = SyncProgress['scope'];

const FOLLOW_FOR_MS = 60_000;

export function useSyncNow(scope: SyncScope, id?: string) {
  const queryClient = useQueryClient();
  const [started, setStarted] = useState<{ request: SyncResponse; at: number } | null>(null);
  const start = useMutation({
    mutationFn: () =>
      api<SyncResponse>('/sync', { method: 'POST', body: id ? { scope, id } : { scope } }),
    onSuccess: (request) => setStarted({ request, at: Date.now() }),
  });
  const progress = useQuery({
    queryKey: ['sync', started?.request.syncRequestId],
    queryFn: async () => {
      const answer = await api<SyncProgress>(`/sync/${started?.request.syncRequestId}`);
      // Each answer may carry new reports: refresh what shows device state.
      await queryClient.invalidateQueries({ queryKey: ['devices'] });
      await queryClient.invalidateQueries({ queryKey: ['dashboard'] });
      return answer;
    },
    enabled: started !== null,
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!started) return false;
      if (data && data.pending === 0) return false;
      return Date.now() - started.at < FOLLOW_FOR_MS ? 1_000 : false;
    },
  });
  const data = progress.data;
  const done = data !== undefined && data.pending === 0;
  const gaveUp = started !== null && !done && Date.now() - started.at >= FOLLOW_FOR_MS;
  return {
    start: () => start.mutate(),
    starting: start.isPending,
    error: start.error ?? progress.error,
    started: started?.request ?? null,
    progress: data ?? null,
    done,
    gaveUp,
  };
}
