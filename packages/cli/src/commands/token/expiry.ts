/** Token lifetimes as written on the command line. */
import { UsageError } from '../../config.js';

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
