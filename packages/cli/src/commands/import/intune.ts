/**
 * `palisade import intune FILE... [--out DIR] [--strict]`: each FILE holds one Graph
 * `deviceManagementConfigurationPolicy` (or `{ value: [...] }` as a Graph list answers, or an
 * array). The documents are printed as YAML (or written to DIR, one file per policy) after being
 * checked like `policy validate`; every setting that could not be mapped is reported on stderr.
 * Exit 0 when documents were produced (1 with --strict if anything was left out), 1 when none.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { validateDocument } from '@palisade/core';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import { UsageError } from '../../config.js';
import { convertIntunePolicy } from '../../documents/intune.js';
import { print, runAction, warn } from '../../output.js';
import { fileNameOf } from '../config/export.js';

function policiesIn(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { value?: unknown }).value)) {
    return (value as { value: unknown[] }).value;
  }
  return [value];
}

export function registerIntuneImportCommand(command: Command): void {
  command
    .command('intune')
    .description('turn Intune settings-catalog policies (Graph JSON) into Palisade documents')
    .argument(
      '<files...>',
      'deviceManagementConfigurationPolicy JSON files (with settings and assignments)',
    )
    .option('--out <dir>', 'write one YAML file per policy here instead of printing')
    .option('--strict', 'exit 1 when any setting or assignment could not be carried over')
    .addHelpText(
      'after',
      '\nExport a policy with its settings and assignments from Graph, e.g.\n  GET /beta/deviceManagement/configurationPolicies/{id}?$expand=settings,assignments\n\nExample:\n  palisade import intune av-policy.json --out policies/',
    )
    .action(
      runAction(async (files: string[], options: { out?: string; strict?: boolean }) => {
        const documents: Record<string, unknown>[] = [];
        let unmappedCount = 0;
        for (const file of files) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(await readFile(file, 'utf8'));
          } catch (error) {
            throw new UsageError(
              `${file}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
          for (const policy of policiesIn(parsed)) {
            const result = convertIntunePolicy(policy, basename(file));
            for (const line of result.unmapped) warn(`${file}: not imported: ${line}`);
            unmappedCount += result.unmapped.length;
            for (const document of result.documents) {
              const check = validateDocument(document);
              if (!check.ok) {
                for (const p of check.problems) {
                  warn(`${file}: ${String(document.name)}: ${p.path.join('.')}: ${p.message}`);
                }
                unmappedCount += check.problems.length;
              }
              documents.push(document);
            }
          }
        }
        if (documents.length === 0) {
          warn('palisade: nothing could be imported');
          return 1;
        }
        if (options.out) {
          await mkdir(join(options.out, 'policies'), { recursive: true });
          const taken = new Set<string>();
          for (const document of documents) {
            const path = join(options.out, 'policies', fileNameOf(String(document.name), taken));
            await writeFile(path, stringify(document, { lineWidth: 0 }), 'utf8');
          }
          print(
            `Wrote ${documents.length} policy document(s) to ${join(options.out, 'policies')}.`,
          );
        } else {
          print(
            documents
              .map((d) => stringify(d, { lineWidth: 0 }))
              .join('---\n')
              .trimEnd(),
          );
        }
        if (unmappedCount > 0) warn(`${unmappedCount} item(s) not imported (listed above)`);
        return options.strict && unmappedCount > 0 ? 1 : 0;
      }),
    );
}
