/**
 * Native files, written the way every driver must: under the `--root` prefix, atomically (temp file
 * in the same directory, fsync, rename), with the previous version kept beside it as
 * `<file>.palisade-prev` for rollback and support bundles.
 */
import { constants } from 'node:fs';
import { copyFile, mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export const PREVIOUS_SUFFIX = '.palisade-prev';

/** The path of a native file under the root prefix (`/` on a real machine). */
export function rootedPath(root: string, absolutePath: string): string {
  return join(root, absolutePath);
}

/** The file's text, or null when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Replaces the file's content atomically. The previous content (if any) is kept as
 * `<file>.palisade-prev`; the new file keeps the old one's mode (or gets `mode`). Writing the
 * content the file already has changes nothing, so `.palisade-prev` stays the version before.
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o644): Promise<void> {
  if ((await readTextIfExists(path)) === text) return;
  await mkdir(dirname(path), { recursive: true });
  let fileMode = mode;
  const existing = await stat(path).catch(() => null);
  if (existing) {
    fileMode = existing.mode & 0o7777;
    await copyFile(path, path + PREVIOUS_SUFFIX);
  }
  const temp = `${path}.palisade-tmp-${process.pid}`;
  const handle = await open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
    fileMode,
  );
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/**
 * Puts the previous version back (after an activation failed). When there was no previous
 * version the file did not exist before, so it is removed.
 */
export async function restorePrevious(path: string, existedBefore: boolean): Promise<void> {
  if (!existedBefore) {
    await rm(path, { force: true });
    return;
  }
  await rename(path + PREVIOUS_SUFFIX, path);
}
