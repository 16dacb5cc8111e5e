/**
 * `palisade sync --device ID | --group NAME | --all [--wait] [--timeout 120s]`: asks devices to
 * check in now and report. With --wait it follows the sync request until every device asked has
 * reported back (a progress bar on a terminal) or the timeout passes (exit 1, the devices still
 * pending are counted).
 */
import type { Group, SyncProgress, SyncRequest, SyncResponse } from '@palisade/protocol';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { connect, findByName } from '../../client.js';
import { UsageError } from '../../config.js';
import { isTerminal, print, printJson, runAction, warn } from '../../output.js';

/** `90`, `90s`, `2m` → milliseconds. */
export function parseTimeout(text: string): number {
  const match = /^(\d+)\s*(s|m)?$/i.exec(text.trim());
  if (!match) throw new UsageError(`--timeout: "${text}" is not a duration such as 90s or 5m`);
  return Number(match[1]) * ((match[2] ?? 's').toLowerCase() === 'm' ? 60_000 : 1000);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface SyncOptions {
  device?: string;
  group?: string;
  all?: boolean;
  wait?: boolean;
  timeout: string;
  json?: boolean;
}

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('sync now: devices check in, apply and report at once')
    .option('--device <id>', 'one device')
    .option('--group <name>', 'the members of a group (name or id)')
    .option('--all', 'every device of the tenant')
    .option('--wait', 'wait until every device asked has reported back')
    .option('--timeout <duration>', 'with --wait: give up after this long (90s, 5m)', '120s')
    .option('--json', 'print the sync request (and its final progress) as JSON')
    .action(
      runAction(async (options: SyncOptions) => {
        const chosen = [options.device, options.group, options.all].filter(Boolean).length;
        if (chosen !== 1)
          throw new UsageError('give exactly one of --device ID, --group NAME, --all');
        const timeoutMs = parseTimeout(options.timeout);
        const client = await connect();
        let request: SyncRequest;
        if (options.device) request = { scope: 'device', id: options.device };
        else if (options.group) {
          const group = await findByName<Group>(client, '/api/v1/groups', options.group, 'group');
          request = { scope: 'group', id: group.id };
        } else request = { scope: 'tenant' };
        const started = await client.post<SyncResponse>('/api/v1/sync', request);
        if (!options.wait) {
          if (options.json) printJson(started);
          else
            print(
              `Sync ${started.syncRequestId}: ${started.deviceCount} device(s) asked to check in.`,
            );
          return 0;
        }
        const progress = await follow(client, started, timeoutMs, !options.json && isTerminal());
        if (options.json) printJson({ ...started, progress });
        else {
          print(
            `Sync ${started.syncRequestId}: ${progress.reported} of ${progress.deviceCount} device(s) reported back${progress.pending > 0 ? `, ${progress.pending} still pending` : ''}.`,
          );
        }
        if (progress.pending > 0) {
          warn(
            `palisade: timed out after ${options.timeout} with ${progress.pending} device(s) pending`,
          );
          return 1;
        }
        return 0;
      }),
    );
}

/** Polls the sync request until nothing is pending or the time is up. */
async function follow(
  client: Awaited<ReturnType<typeof connect>>,
  started: SyncResponse,
  timeoutMs: number,
  showBar: boolean,
): Promise<SyncProgress> {
  const bar = showBar
    ? new SingleBar({
        format: 'reported back {bar} {value}/{total} devices',
        hideCursor: true,
        clearOnComplete: false,
      })
    : null;
  bar?.start(started.deviceCount, 0);
  const deadline = Date.now() + timeoutMs;
  let progress = await client.get<SyncProgress>(`/api/v1/sync/${started.syncRequestId}`);
  try {
    while (progress.pending > 0 && Date.now() < deadline) {
      bar?.update(progress.reported);
      await sleep(Math.min(500, Math.max(0, deadline - Date.now())));
      progress = await client.get<SyncProgress>(`/api/v1/sync/${started.syncRequestId}`);
    }
    bar?.update(progress.reported);
  } finally {
    bar?.stop();
  }
  return progress;
}
