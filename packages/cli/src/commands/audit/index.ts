/**
 * `palisade audit [--since 24h|2026-11-01] [--actor NAME] [--action policy.] [--limit N]`: the
 * append-only audit log, newest first: who changed what, when.
 */
import type { AuditEntry } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { printListing, runAction, when } from '../../output.js';

/** `30m`, `24h`, `7d` before now, or an ISO date / time → an ISO time. */
export function parseSince(text: string, now: Date): string {
  const relative = /^(\d+)\s*([mhdw])$/i.exec(text.trim());
  if (relative) {
    const unit = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[
      (relative[2] ?? 'h').toLowerCase() as 'm' | 'h' | 'd' | 'w'
    ];
    return new Date(now.getTime() - Number(relative[1]) * unit).toISOString();
  }
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new UsageError(
      `--since: "${text}" is not a time such as 24h, 7d or 2026-11-01T00:00:00Z`,
    );
  }
  return date.toISOString();
}

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('the audit log, newest first')
    .option('--since <time>', 'entries after this: 30m, 24h, 7d, or an ISO date/time')
    .option('--actor <name>', 'only this user (username or id)')
    .option('--action <action>', 'an action (policy.update) or a prefix ending in a dot (policy.)')
    .option('--limit <n>', 'at most this many entries', '100')
    .option('--json', 'print as JSON')
    .action(
      runAction(
        async (options: {
          since?: string;
          actor?: string;
          action?: string;
          limit: string;
          json?: boolean;
        }) => {
          const limit = Number(options.limit);
          if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
            throw new UsageError(`--limit: "${options.limit}" is not a number from 1 to 500`);
          }
          const client = await connect();
          const page = await client.get<{ items: AuditEntry[]; total: number }>('/api/v1/audit', {
            limit,
            since: options.since ? parseSince(options.since, new Date()) : undefined,
            actor: options.actor,
            action: options.action,
          });
          printListing(
            options,
            page,
            page.items,
            ['WHEN', 'WHO', 'ACTION', 'OBJECT'],
            (e) => [
              when(e.at),
              e.actor.name,
              e.action,
              `${e.objectType} ${e.objectId ?? ''}`.trim(),
            ],
            'no entries',
          );
          return 0;
        },
      ),
    );
}
