/**
 * A rule that matches this device on one property, in the directory's syntax (a double quote in
 * a string is escaped with a backtick), or null when the value is not a single scalar.
 */
export function ruleSnippet(name: string, value: unknown): string | null {
  if (typeof value === 'string') return `(device.${name} -eq "${value.replaceAll('"', '`"')}")`;
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `(device.${name} -eq ${String(value)})`;
  }
  return null;
}
