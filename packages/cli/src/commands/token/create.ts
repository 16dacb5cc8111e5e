/**
 * `palisade token create --name N [--expires 7d]`: an onboarding token (shown once) with the
 * enroll command per platform.
 */
import type { CreateOnboardingTokenResponse } from '@palisade/protocol';
import type { Command } from 'commander';
import { connect } from '../../client.js';
import { print, printJson, runAction, when } from '../../output.js';
import { parseExpiry } from './expiry.js';

export function registerCreateCommand(token: Command): void {
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
}
