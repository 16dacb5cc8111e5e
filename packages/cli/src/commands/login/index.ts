/**
 * `palisade login --server URL --user NAME [--password-stdin]`: signs in and keeps the session
 * in the user's config directory (mode 0600); `palisade logout` ends it; `palisade whoami` shows
 * who the CLI acts as. The password is read from standard input (scripts) or asked for without
 * echo on a terminal; it is never an argument, so it stays out of shell history and `ps`.
 */
import type { LoginResponse, MeResponse } from '@palisade/protocol';
import type { Command } from 'commander';
import { PalisadeClient } from '../../client.js';
import {
  normaliseServer,
  readSession,
  removeSession,
  resolveConnection,
  UsageError,
  writeSession,
} from '../../config.js';
import { print, printFields, printJson, runAction, when } from '../../output.js';

async function readAll(stream: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Asks for the password on the terminal without echoing it. */
async function promptPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let password = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.removeListener('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(password);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new UsageError('cancelled'));
        if (char === '\u007f' || char === '\b') password = password.slice(0, -1);
        else password += char;
      }
    };
    input.on('data', onData);
  });
}

export function registerLoginCommands(program: Command): void {
  program
    .command('login')
    .description('sign in to a Palisade server and keep the session for the next commands')
    .requiredOption('--server <url>', 'the server, e.g. https://palisade.example.com')
    .requiredOption('--user <name>', 'your username')
    .option('--tenant <name>', 'the tenant, when your username exists in several')
    .option('--password-stdin', 'read the password from standard input (for scripts)')
    .option('--json', 'print the session (without the token) as JSON')
    .addHelpText(
      'after',
      '\nThe session is kept in $XDG_CONFIG_HOME/palisade/session.json (~/.config/palisade/…),\nreadable by you only. Scripts can set PALISADE_SERVER and PALISADE_TOKEN instead.\n\nExample:\n  printf %s "$PASSWORD" | palisade login --server https://palisade.example.com --user admin --password-stdin',
    )
    .action(
      runAction(
        async (options: {
          server: string;
          user: string;
          tenant?: string;
          passwordStdin?: boolean;
          json?: boolean;
        }) => {
          const server = normaliseServer(options.server);
          let password: string;
          if (options.passwordStdin) {
            password = (await readAll(process.stdin)).replace(/\r?\n$/, '');
          } else if (process.stdin.isTTY) {
            password = await promptPassword(`Password for ${options.user}: `);
          } else {
            throw new UsageError(
              'standard input is not a terminal: pass --password-stdin and pipe the password',
            );
          }
          if (password === '') throw new UsageError('the password is empty');
          const client = new PalisadeClient(server, null);
          const answer = await client.post<LoginResponse>('/api/v1/auth/login', {
            username: options.user,
            password,
            ...(options.tenant ? { tenant: options.tenant } : {}),
          });
          const path = await writeSession({
            server,
            token: answer.token,
            username: answer.user.username,
            tenant: answer.tenant.name,
            expiresAt: answer.expiresAt,
          });
          if (options.json) {
            printJson({
              server,
              user: answer.user,
              tenant: answer.tenant,
              expiresAt: answer.expiresAt,
              sessionFile: path,
            });
          } else {
            print(
              `Signed in to ${server} as ${answer.user.username} (${answer.user.role}, tenant ${answer.tenant.name}) until ${when(answer.expiresAt)} UTC.`,
            );
          }
          return 0;
        },
      ),
    );

  program
    .command('logout')
    .description('end the saved session on the server and forget it here')
    .action(
      runAction(async () => {
        const session = await readSession();
        if (!session) {
          print('Not signed in.');
          return 0;
        }
        try {
          await new PalisadeClient(session.server, session.token).post('/api/v1/auth/logout');
        } finally {
          await removeSession();
        }
        print(`Signed out of ${session.server}.`);
        return 0;
      }),
    );

  program
    .command('whoami')
    .description('who the CLI acts as: user, role, tenant, server')
    .option('--json', 'print as JSON')
    .action(
      runAction(async (options: { json?: boolean }) => {
        const connection = await resolveConnection();
        const me = await PalisadeClient.from(connection).get<MeResponse>('/api/v1/auth/me');
        if (options.json) {
          printJson({ server: connection.server, ...me });
          return 0;
        }
        printFields([
          ['user', `${me.user.username} (${me.user.displayName || me.user.username})`],
          ['role', me.user.role],
          ['tenant', me.tenant.name],
          ['server', connection.server],
          ['session', `until ${when(me.session.expiresAt)} UTC (${connection.source})`],
        ]);
        return 0;
      }),
    );
}
