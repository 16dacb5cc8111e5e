import { describe, expect, it } from 'vitest';
import { loadDocumentsFromText } from './load.js';
import { type DocumentSet, locateServerProblem, pathInDocument } from './set.js';

const text = [
  'kind: Policy',
  'name: linux-exclusions',
  'platform: linux',
  'profile: antivirus-exclusions',
  'settings:',
  '  exclusions.paths:',
  '    - /srv/a/',
  '    - relative',
  'assignments:',
  '  include: [linux, nope]',
  '',
].join('\n');

const set: DocumentSet = {
  files: ['p.yaml'],
  documents: loadDocumentsFromText('p.yaml', text, 'yaml').documents,
};

describe('pathInDocument', () => {
  it('matches dotted setting ids against the document keys, longest first', () => {
    const value = set.documents[0]?.value;
    expect(pathInDocument(value, ['settings', 'exclusions', 'paths', '1'])).toEqual([
      'settings',
      'exclusions.paths',
      1,
    ]);
    expect(pathInDocument(value, ['assignments', 'include', '1'])).toEqual([
      'assignments',
      'include',
      1,
    ]);
    expect(pathInDocument(value, ['nosuch', 'field'])).toEqual(['nosuch.field']);
  });
});

describe('locateServerProblem', () => {
  it('points a documents.N.path problem at its file and line', () => {
    expect(
      locateServerProblem(set, {
        path: 'documents.0.settings.exclusions.paths.1',
        message: 'not an absolute path',
      }),
    ).toBe('p.yaml:8: settings.exclusions.paths[1]: not an absolute path');
    expect(
      locateServerProblem(set, {
        path: 'documents.0.assignments.include.1',
        message: 'no group nope',
      }),
    ).toBe('p.yaml:10: assignments.include[1]: no group nope');
    expect(locateServerProblem(set, { path: 'documents.0', message: 'whole' })).toBe(
      'p.yaml:1: whole',
    );
    expect(locateServerProblem(set, { path: 'body.prune', message: 'x' })).toBeNull();
    expect(locateServerProblem(set, { path: 'documents.7.name', message: 'x' })).toBeNull();
  });
});
