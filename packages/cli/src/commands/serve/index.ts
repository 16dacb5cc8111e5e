/**
 * `palisade serve`: runs the control plane (HTTP API, agent protocol, portal) until SIGINT or
 * SIGTERM. The server is imported only when this command runs, so the other commands start fast
 * and never load a database driver.
 */
import type { Command } from 'commander';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the Palisade server: admin API, agent protocol and web portal')
    .option('--port <port>', 'HTTP port (env PORT; default 8080)')
    .option('--host <address>', 'listen address (default 0.0.0.0)')
    .option('--data <dir>', 'directory of the embedded SQLite database (default ./data)')
    .option('--database <url>', 'PostgreSQL URL instead of SQLite (env PALISADE_DATABASE_URL)')
    .option(
      '--public-url <url>',
      'the URL agents use to reach this server (env PALISADE_PUBLIC_URL)',
    )
    .option('--web <dir>', 'the built portal to serve (default packages/web/dist when built)')
    .addHelpText(
      'after',
      '\nFirst start creates a tenant and an "admin" user; the password is PALISADE_ADMIN_PASSWORD,\nor generated and printed once.',
    )
    .action(async (options: Record<string, string | undefined>) => {
      const argv: string[] = [];
      for (const [flag, key] of [
        ['--port', 'port'],
        ['--host', 'host'],
        ['--data', 'data'],
        ['--database', 'database'],
        ['--public-url', 'publicUrl'],
        ['--web', 'web'],
      ] as const) {
        const value = options[key];
        if (value !== undefined) argv.push(flag, value);
      }
      const { main } = await import('@palisade/server');
      process.exitCode = await main(argv);
    });
}
