/**
 * Sync now: ask the server to push a `sync` notice to a device, a group's devices or the whole
 * tenant, then follow the request's progress (devices asked, devices that checked in and reported
 * back) by polling it once a second until every device answered or a minute passed. Devices that
 * are offline answer when they next connect; the page stops waiting for them.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client.js';
import type { SyncProgress, SyncResponse } from '../../api/types.js';

export type SyncScope = SyncProgress['scope'];

const FOLLOW_FOR_MS = 60_000;

export function useSyncNow(scope: SyncScope, id?: string) {
  const queryClient = useQueryClient();
  const [started, setStarted] = useState<SyncResponse | null>(null);
  const [gaveUp, setGaveUp] = useState(false);
  const start = useMutation({
    mutationFn: () =>
      api<SyncResponse>('/sync', { method: 'POST', body: id ? { scope, id } : { scope } }),
    onSuccess: (request) => {
      setGaveUp(false);
      setStarted(request);
    },
  });
  useEffect(() => {
    if (!started) return;
    const timer = setTimeout(() => setGaveUp(true), FOLLOW_FOR_MS);
    return () => clearTimeout(timer);
  }, [started]);
  const progress = useQuery({
    queryKey: ['sync', started?.syncRequestId],
    queryFn: async () => {
      const answer = await api<SyncProgress>(`/sync/${started?.syncRequestId}`);
      // Each answer may carry new reports: refresh what shows device state.
      await queryClient.invalidateQueries({ queryKey: ['devices'] });
      await queryClient.invalidateQueries({ queryKey: ['dashboard'] });
      return answer;
    },
    enabled: started !== null,
    refetchInterval: (query) => {
      const data = query.state.data;
      return gaveUp || (data && data.pending === 0) ? false : 1_000;
    },
  });
  const data = progress.data;
  const done = data !== undefined && data.pending === 0;
  return {
    start: () => start.mutate(),
    starting: start.isPending,
    error: start.error ?? progress.error,
    started,
    progress: data ?? null,
    done,
    gaveUp: started !== null && !done && gaveUp,
  };
}
