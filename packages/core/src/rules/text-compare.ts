/**
 * Case-insensitive string tests against a constant lower-cased once at compile time, without
 * allocating for ASCII text (host names, OS types, versions, software names: nearly all values).
 * Text with a non-ASCII character in the compared region falls back to `toLowerCase()`, whose
 * result can differ in length (e.g. 'İ' lower-cases to two code units), so the answer is always
 * the same as comparing `text.toLowerCase()` with the constant.
 */

/** ASCII upper-case letters to lower-case; other code units unchanged. */
function lowerAscii(code: number): number {
  return code >= 65 && code <= 90 ? code + 32 : code;
}

/** Whether text[from, to) is ASCII. */
function isAscii(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** Whether text[offset, offset + lower.length) equals `lower` ignoring ASCII case. */
function regionMatches(text: string, offset: number, lower: string): boolean {
  for (let i = 0; i < lower.length; i++) {
    if (lowerAscii(text.charCodeAt(offset + i)) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

export function equalsIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text, 0, text.length)) return text.toLowerCase() === lower;
  return text.length === lower.length && regionMatches(text, 0, lower);
}

export function startsWithIgnoringCase(text: string, lower: string): boolean {
  const end = Math.min(text.length, lower.length);
  if (!isAscii(text, 0, end)) return text.toLowerCase().startsWith(lower);
  return text.length >= lower.length && regionMatches(text, 0, lower);
}

export function endsWithIgnoringCase(text: string, lower: string): boolean {
  const start = Math.max(0, text.length - lower.length);
  // Lower-casing is per character for ASCII, so only the compared tail must be ASCII.
  if (!isAscii(text, start, text.length)) return text.toLowerCase().endsWith(lower);
  return text.length >= lower.length && regionMatches(text, start, lower);
}

export function containsIgnoringCase(text: string, lower: string): boolean {
  if (!isAscii(text, 0, text.length)) return text.toLowerCase().includes(lower);
  for (let offset = 0; offset + lower.length <= text.length; offset++) {
    if (regionMatches(text, offset, lower)) return true;
  }
  return false;
}

/** `text.toLowerCase()`, without allocating when the text is already lower-case ASCII. */
export function lowerCased(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 127 || (code >= 65 && code <= 90)) return text.toLowerCase();
  }
  return text;
}
