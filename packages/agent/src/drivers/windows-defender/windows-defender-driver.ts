/**
 * Windows: Defender antivirus preferences, ASR rules and Windows Firewall rules, through
 * PowerShell. The apply script is kept at `C:\ProgramData\Palisade\apply.ps1` (previous version
 * beside it) and run with Windows PowerShell; the state is read back with Get-MpPreference and
 * Get-NetFirewallRule as JSON. If the script fails, the script for the state read before the
 * change runs, so the machine is left at its previous version.
 */
import { existsSync } from 'node:fs';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { CodecDriver } from '../codec-driver.js';
import type { CommandRunner } from '../commands.js';
import { type DriverContext, errorMessage, type NativeTarget } from '../driver.js';
import { rootedPath, writeFileAtomic } from '../native-file.js';
import { renderApplyScript } from './apply-script.js';
import {
  parseReadBack,
  READ_BACK_SCRIPT,
  WindowsCodec,
  type WindowsState,
} from './windows-state.js';

export const APPLY_SCRIPT_FILE = '/ProgramData/Palisade/apply.ps1';
const POWERSHELL = 'powershell.exe';
const POWERSHELL_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass'] as const;

async function powershell(run: CommandRunner, args: readonly string[]): Promise<string> {
  const outcome = await run(POWERSHELL, [...POWERSHELL_ARGS, ...args], { timeoutMs: 120_000 });
  if (outcome.code !== 0) {
    const said = (outcome.stderr || outcome.stdout).trim();
    throw new Error(outcome.code === null ? `cannot run ${POWERSHELL}: ${said}` : said);
  }
  return outcome.stdout;
}

class WindowsTarget implements NativeTarget<WindowsState> {
  async read(context: DriverContext): Promise<WindowsState> {
    return parseReadBack(await powershell(context.run, ['-Command', READ_BACK_SCRIPT]));
  }

  async write(desired: WindowsState, context: DriverContext): Promise<void> {
    const previous = desired.previous ?? { preferences: {}, firewallRules: [], registry: {} };
    const path = rootedPath(context.root, APPLY_SCRIPT_FILE);
    await writeFileAtomic(path, renderApplyScript(desired, previous));
    try {
      await powershell(context.run, ['-File', path]);
    } catch (error) {
      context.log(`windows-defender: the apply script failed, putting the previous state back`);
      const rollback = renderApplyScript({ ...previous, managed: desired.managed }, desired);
      await powershell(context.run, ['-Command', rollback]).catch((again: unknown) =>
        context.log(`windows-defender: rolling back failed too: ${errorMessage(again)}`),
      );
      throw error;
    }
  }
}

export class WindowsDefenderDriver extends CodecDriver<WindowsState> {
  readonly target = 'windows-defender' as const;

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    super(new WindowsCodec(lookup), new WindowsTarget());
  }

  detect(root: string): boolean {
    return (
      process.platform === 'win32' &&
      existsSync(rootedPath(root, '/Program Files/Windows Defender/MpCmdRun.exe'))
    );
  }
}
