/**
 * The portal's pure helpers, in node: where rule errors are underlined, how server field errors
 * map back to a policy's settings, what an audit diff lists, and how list queries are encoded.
 */
import { parseRule } from '@palisade/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError, queryString } from '../src/api/client.js';
import { changedPaths } from '../src/components/changed-paths.js';
import { offsetOf, problemSpans } from '../src/components/rule-spans.js';
import { ruleSnippet } from '../src/features/devices/rule-snippet.js';
import { emptyDraft, problemsOf, withSetting } from '../src/features/policies/policy-draft.js';

describe('rule error spans', () => {
  it('puts the underline where the core parser says, by line and column alone', () => {
    const rule = '(device.deviceOSType -eq "Linux") and\n  (device.bogusProperty -eq "x")';
    const parsed = parseRule(rule);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    const [diagnostic] = parsed.diagnostics;
    if (!diagnostic) throw new Error('no diagnostic');
    // The server may send only line and column: the offset computed from them is the parser's.
    expect(offsetOf(rule, diagnostic.line, diagnostic.column)).toBe(diagnostic.offset);
    const [span] = problemSpans(rule, [
      {
        message: diagnostic.message,
        line: diagnostic.line,
        column: diagnostic.column,
        length: diagnostic.length,
      },
    ]);
    expect(rule.slice(span?.start, span?.end)).toBe('device.bogusProperty');
  });

  it('agrees with the parser on line and column for any position', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', ' ', '\n'), { maxLength: 60 }),
        fc.nat(),
        (chars, pick) => {
          const text = chars.join('');
          const offset = text.length === 0 ? 0 : pick % text.length;
          const before = text.slice(0, offset);
          const line = before.split('\n').length;
          const column = offset - before.lastIndexOf('\n');
          expect(offsetOf(text, line, column)).toBe(offset);
        },
      ),
    );
  });

  it('marks a problem at the end of the rule past the last character, and drops overlaps', () => {
    const rule = '(device.deviceOSType -eq ';
    const spans = problemSpans(rule, [
      { message: 'the rule ends too early', line: 1, column: rule.length + 1 },
      { message: 'overlapping', line: 1, column: 2, length: 5 },
      { message: 'inside the first', line: 1, column: 3, length: 1 },
    ]);
    expect(spans).toEqual([
      { start: 1, end: 6 },
      { start: rule.length, end: rule.length + 1 },
    ]);
  });
});

describe('rule snippets from a device property', () => {
  it('writes a rule the parser accepts, escaping quotes the directory way', () => {
    for (const [name, value] of [
      ['deviceOSType', 'Linux'],
      ['displayName', 'the "lab" box'],
      ['accountEnabled', true],
    ] as const) {
      const snippet = ruleSnippet(name, value);
      expect(snippet).not.toBeNull();
      expect(parseRule(snippet ?? '').ok).toBe(true);
    }
    expect(ruleSnippet('displayName', 'the "lab" box')).toBe(
      '(device.displayName -eq "the `"lab`" box")',
    );
    expect(ruleSnippet('systemLabels', ['a'])).toBeNull();
    expect(ruleSnippet('deviceOwnership', null)).toBeNull();
  });
});

describe('policy problems from the server', () => {
  it('maps field paths to setting ids that contain dots, longest id first', () => {
    const error = new ApiError(400, 'invalid_settings', '3 settings are not valid', [
      { path: 'body.settings.exclusions.paths.0', message: 'not an absolute path' },
      { path: 'body.settings.asr.rules.be9ba2d9-53ea-4cdc-84e5-9b1eeee46550', message: 'bad mode' },
      { path: 'body.settings.exclusions.bogus', message: 'no such setting' },
      { path: 'body.name', message: 'required' },
      { path: 'body.assignments.include', message: 'no group g-9' },
    ]);
    const problems = problemsOf(error, ['asr', 'asr.rules', 'exclusions.paths']);
    expect(problems.settings).toEqual({
      'exclusions.paths': ['not an absolute path'],
      'asr.rules': ['bad mode'],
      // Not a setting the form shows: kept under its own path, so the page can still say it.
      'exclusions.bogus': ['no such setting'],
    });
    expect(problems.fields).toEqual({ name: 'required', 'assignments.include': 'no group g-9' });
  });

  it('treats an absent setting as not configured', () => {
    const draft = withSetting(emptyDraft('linux', 'antivirus'), 'antivirus.scanArchives', true);
    expect(draft.settings).toEqual({ 'antivirus.scanArchives': true });
    expect(withSetting(draft, 'antivirus.scanArchives', undefined).settings).toEqual({});
  });
});

describe('audit before/after', () => {
  it('lists only the paths that changed, nested and in lists', () => {
    const before = { name: 'p', settings: { 'exclusions.paths': ['/a/', '/b/'] }, version: 1 };
    const after = {
      name: 'p',
      settings: { 'exclusions.paths': ['/a/', '/c/', '/d/'] },
      version: 2,
    };
    expect(changedPaths(before, after)).toEqual([
      { path: 'settings.exclusions.paths[1]', before: '/b/', after: '/c/' },
      { path: 'settings.exclusions.paths[2]', before: undefined, after: '/d/' },
      { path: 'version', before: 1, after: 2 },
    ]);
  });

  it('shows a creation (no before) as every path added', () => {
    expect(changedPaths(null, { a: 1 })).toEqual([
      { path: '(value)', before: null, after: undefined },
      { path: 'a', before: undefined, after: 1 },
    ]);
  });
});

describe('list queries', () => {
  it('leaves out empty filters and repeats list values', () => {
    expect(
      queryString({ platform: 'linux', tag: undefined, search: '', limit: 50, group: ['a', 'b'] }),
    ).toBe('?platform=linux&limit=50&group=a&group=b');
    expect(queryString({})).toBe('');
  });
});
