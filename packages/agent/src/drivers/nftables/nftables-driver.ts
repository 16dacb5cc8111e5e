/**
 * nftables on Linux: `firewall.rules` as the `inet palisade` table. The script is kept at
 * `/etc/palisade-agent/palisade.nft` (previous version beside it) and loaded with `nft -f`, which
 * replaces the table in one kernel transaction: if nft refuses the script, the running ruleset is
 * untouched and the previous script file is put back. Read back with
 * `nft -j list table inet palisade`.
 */
import { existsSync } from 'node:fs';
import type { EffectiveSetting, JsonValue } from '@palisade/core';
import { CodecDriver } from '../codec-driver.js';
import {
  type DriverContext,
  type NativeCodec,
  type NativeTarget,
  NotExpressibleError,
} from '../driver.js';
import { readTextIfExists, restorePrevious, rootedPath, writeFileAtomic } from '../native-file.js';
import {
  type NftRule,
  type NftRuleset,
  nftRulesOf,
  parseNftJson,
  renderNftScript,
  sortRules,
  TABLE_FAMILY,
  TABLE_NAME,
} from './nft-ruleset.js';

export const NFT_SCRIPT_FILE = '/etc/palisade-agent/palisade.nft';
const FIREWALL_RULES = 'firewall.rules';

export class NftablesCodec implements NativeCodec<NftRuleset> {
  expresses(settingId: string): boolean {
    return settingId === FIREWALL_RULES;
  }

  fragment(setting: EffectiveSetting): JsonValue {
    if (!Array.isArray(setting.value))
      throw new NotExpressibleError('firewall.rules must be a list of rules');
    const rules = (setting.value as JsonValue[]).flatMap((rule) => {
      if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) {
        throw new NotExpressibleError('every firewall rule must be an object');
      }
      return nftRulesOf(rule as Readonly<Record<string, JsonValue>>);
    });
    return sortRules(rules) as unknown as JsonValue;
  }

  observe(config: NftRuleset): JsonValue | undefined {
    return sortRules(config.rules) as unknown as JsonValue;
  }

  render(fragments: ReadonlyMap<string, JsonValue>): NftRuleset {
    // The table is Palisade's whole: without firewall.rules it is emptied.
    const rules = (fragments.get(FIREWALL_RULES) ?? []) as unknown as NftRule[];
    return { rules };
  }
}

class NftTable implements NativeTarget<NftRuleset> {
  async read(context: DriverContext): Promise<NftRuleset> {
    const outcome = await context.run('nft', ['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]);
    if (outcome.code !== 0) {
      if (/No such file or directory/.test(outcome.stderr)) return { rules: [] };
      throw new Error(
        `nft -j list table ${TABLE_FAMILY} ${TABLE_NAME} failed: ${outcome.stderr.trim()}`,
      );
    }
    return parseNftJson(outcome.stdout);
  }

  async write(ruleset: NftRuleset, context: DriverContext): Promise<void> {
    const path = rootedPath(context.root, NFT_SCRIPT_FILE);
    const existed = existsSync(path);
    const script = renderNftScript(ruleset);
    // Loaded even when the file is unchanged: the running table may have drifted from it.
    await writeFileAtomic(path, script);
    const outcome = await context.run('nft', ['-f', path]);
    if (outcome.code !== 0) {
      await restorePrevious(path, existed);
      throw new Error(`nft refused the ruleset: ${outcome.stderr.trim()}`);
    }
  }
}

export class NftablesDriver extends CodecDriver<NftRuleset> {
  readonly target = 'nftables' as const;

  constructor() {
    super(new NftablesCodec(), new NftTable());
  }

  detect(root: string): boolean {
    return ['/usr/sbin/nft', '/sbin/nft', '/usr/bin/nft'].some((path) =>
      existsSync(rootedPath(root, path)),
    );
  }

  override async readBack(context: DriverContext): Promise<JsonValue> {
    const script = await readTextIfExists(rootedPath(context.root, NFT_SCRIPT_FILE));
    const outcome = await context.run('nft', ['-j', 'list', 'table', TABLE_FAMILY, TABLE_NAME]);
    return {
      scriptFile: script,
      listing:
        outcome.code === 0 ? (JSON.parse(outcome.stdout) as JsonValue) : outcome.stderr.trim(),
    };
  }
}
