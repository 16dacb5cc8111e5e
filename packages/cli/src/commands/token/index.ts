/**
 * `palisade token create|list|revoke`: the tenant's onboarding tokens, which devices enroll with
 * (`palisade-agent enroll --server URL --token TOKEN`). A token is shown once, at creation.
 */
import type { CreateOnboardingTokenResponse, OnboardingToken } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { print, printJson, printListing, runAction, when } from '../../output.js';

/** `7d`, `12h`, `2w` or a number of hours → hours. */
export function parseExpiry(text: string): number {
  const match = /^(\d+)\s*([hdw]?)$/i.exec(text.trim());
  if (!match) throw new UsageError(`--expires: "${text}" is not a duration such as 12h, 7d or 2w`);
  const unit = (match[2] ?? '').toLowerCase();
  const hours = Number(match[1]) * (unit === 'w' ? 168 : unit === 'd' ? 24 : 1);
  if (hours < 1 || hours > 8760) {
    throw new UsageError(`--expires: ${text} is outside 1 hour to 1 year`);
  }
  return hours;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('onboarding tokens devices enroll with');

  token
    .command('create')
    .description('create an onboarding token (shown once) with the enroll command per platform')
    .requiredOption('--name <name>', 'what the token is for (e.g. "linux servers, wave 1")')
    .option('--expires <duration>', 'lifetime: 12h, 7d, 2w (default 7d)', '7d')
    .option('--json', 'print the token and instructions as JSON')
    .action(
      runAction(async (options: { name: string; expires: string; json?: boolean }) => {
        const expiresInHours = parseExpiry(options.expires);
        const client = await connect();
        const answer = await client.post<CreateOnboardingTokenResponse>(
          '/api/v1/onboarding-tokens',
          { description: options.name, expiresInHours },
        );
        if (options.json) {
          printJson(answer);
          return 0;
        }
        print(
          `Token ${answer.onboardingToken.id} (${options.name}), expires ${when(answer.onboardingToken.expiresAt)} UTC:`,
        );
        print(`  ${answer.token}`);
        print('It is shown only this once. Enroll a device with:');
        for (const step of answer.instructions.platforms) {
          print(`  ${step.title} (${step.shell}):`);
          print(`    ${step.command.replace('TOKEN', answer.token)}`);
        }
        return 0;
      }),
    );

  token
    .command('list')
    .description('list onboarding tokens: id, name, status, expiry')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const client = await connect();
        const items = await client.all<OnboardingToken>('/api/v1/onboarding-tokens');
        printListing(
          options,
          { items, total: items.length },
          items,
          ['ID', 'NAME', 'HINT', 'STATUS', 'EXPIRES', 'CREATED BY'],
          (t) => [t.id, t.description, t.hint, t.status, when(t.expiresAt), t.createdBy ?? '-'],
          'no onboarding tokens',
        );
        return 0;
      }),
    );

  token
    .command('revoke')
    .description('revoke an onboarding token: enrollments with it are refused from now on')
    .argument('<id>', 'the token id (palisade token list)')
    .option('--json', 'print the revoked token as JSON')
    .action(
      runAction(async (id: string, options: { json?: boolean }) => {
        const client = await connect();
        const revoked = await client.post<OnboardingToken>(
          `/api/v1/onboarding-tokens/${encodeURIComponent(id)}/revoke`,
        );
        if (options.json) printJson(revoked);
        else
          print(`Revoked token ${id}${revoked?.description ? ` (${revoked.description})` : ''}.`);
        return 0;
      }),
    );
}
