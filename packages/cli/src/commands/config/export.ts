/**
 * `palisade export --out DIR [--force]`: writes the tenant's objects as documents, one object per
 * file — `tenant-settings.yaml`, `groups/<name>.yaml`, `asset-rules/<name>.yaml`,
 * `policies/<name>.yaml` — normalised by the server (stable order, names not ids, no timestamps),
 * so that `plan -f DIR` right after shows no changes. A directory that already holds documents is
 * refused unless --force, which replaces the documents in those places and leaves other files.
 */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConfigExport } from '@palisade/protocol';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { connect } from '../../client.js';
import { UsageError } from '../../config.js';
import { print, printJson, runAction, warn } from '../../output.js';

const FOLDERS: Readonly<Record<string, string>> = {
  Group: 'groups',
  AssetRule: 'asset-rules',
  Policy: 'policies',
};
const SETTINGS_FILE = 'tenant-settings.yaml';
const DOCUMENT_FILE = /\.(ya?ml|json)$/i;

/** A file name for an object name: letters, digits, dot, dash, underscore; others become '-'. */
export function fileNameOf(name: string, taken: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'object';
  let candidate = `${base}.yaml`;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${base}-${n}.yaml`;
  taken.add(candidate.toLowerCase());
  return candidate;
}

async function documentFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  const top = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of top) {
    if (entry.isFile() && DOCUMENT_FILE.test(entry.name)) found.push(join(dir, entry.name));
  }
  for (const folder of Object.values(FOLDERS)) {
    const inner = await readdir(join(dir, folder), { withFileTypes: true }).catch(() => []);
    for (const entry of inner) {
      if (entry.isFile() && DOCUMENT_FILE.test(entry.name))
        found.push(join(dir, folder, entry.name));
    }
  }
  return found;
}

/** Writes the documents; returns the files written, relative to `dir`, in order. */
export async function writeExport(dir: string, exported: ConfigExport): Promise<string[]> {
  const written: string[] = [];
  const taken = new Map<string, Set<string>>();
  await mkdir(dir, { recursive: true });
  for (const document of exported.documents) {
    const kind = String(document.kind);
    let relative: string;
    if (kind === 'TenantSettings') relative = SETTINGS_FILE;
    else {
      const folder = FOLDERS[kind];
      if (!folder) continue;
      const names = taken.get(folder) ?? new Set<string>();
      taken.set(folder, names);
      relative = join(folder, fileNameOf(String(document.name), names));
      await mkdir(join(dir, folder), { recursive: true });
    }
    await writeFile(join(dir, relative), stringify(document, { lineWidth: 0 }), 'utf8');
    written.push(relative);
  }
  return written;
}

export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("write the tenant's groups, policies, asset rules and settings as documents")
    .requiredOption('--out <dir>', 'the directory to write (created when missing)')
    .option('--force', 'replace the documents already in the directory')
    .option('--json', 'print the documents as JSON instead of writing files')
    .addHelpText(
      'after',
      '\nExample:\n  palisade export --out policies/ && palisade plan -f policies/',
    )
    .action(
      runAction(async (options: { out: string; force?: boolean; json?: boolean }) => {
        const client = await connect();
        const exported = await client.get<ConfigExport>('/api/v1/config/export');
        for (const warning of exported.warnings) warn(`warning: ${warning}`);
        if (options.json) {
          printJson(exported);
          return 0;
        }
        const existing = await documentFilesIn(options.out);
        if (existing.length > 0 && !options.force) {
          throw new UsageError(
            `${options.out} already holds documents (${existing[0]}, …): pass --force to replace them`,
          );
        }
        for (const file of existing) await rm(file);
        const written = await writeExport(options.out, exported);
        print(`Wrote ${written.length} document(s) to ${options.out}.`);
        return 0;
      }),
    );
}
