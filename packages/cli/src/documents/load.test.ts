import { describe, expect, it } from 'vitest';
import { formatOf, loadDocumentsFromText } from './load.js';

const YAML = `# policies
kind: Group
name: linux-servers
rule: |
  (device.deviceOSType -eq "Linux") and
  (device.nosuch -eq "x")
---
kind: Policy
name: p
settings:
  exclusions.paths:
    - /a/
    - relative
  firewall.rules:
    - name: web
      localPorts: ["1"]
`;

describe('loadDocumentsFromText', () => {
  it('splits YAML documents and maps paths back to lines', () => {
    const { documents, problems } = loadDocumentsFromText('p.yaml', YAML, 'yaml');
    expect(problems).toEqual([]);
    expect(documents.map((d) => [d.index, d.line])).toEqual([
      [0, 2],
      [1, 8],
    ]);
    const policy = documents[1];
    expect(policy?.value).toMatchObject({
      kind: 'Policy',
      settings: { 'exclusions.paths': ['/a/', 'relative'] },
    });
    expect(policy?.lineOf([])).toBe(8);
    expect(policy?.lineOf(['settings', 'exclusions.paths'])).toBe(11);
    expect(policy?.lineOf(['settings', 'exclusions.paths', 1])).toBe(13);
    expect(policy?.lineOf(['settings', 'firewall.rules', 0, 'localPorts', 0])).toBe(16);
    // A path that goes deeper than the document: the deepest node found.
    expect(policy?.lineOf(['settings', 'firewall.rules', 0, 'direction'])).toBe(15);
    expect(policy?.lineOf(['assignments', 'include'])).toBe(8);
  });

  it('points into a block scalar rule by the rule’s own line', () => {
    const group = loadDocumentsFromText('p.yaml', YAML, 'yaml').documents[0];
    expect(group?.ruleLineOf(['rule'], 2)).toBe(6);
    expect(group?.ruleLineOf(['name'], 1)).toBe(3);
  });

  it('reads a JSON array as one document per item, with lines', () => {
    const text =
      '[\n  {"kind": "Group", "name": "a", "members": ["x"]},\n  {"kind": "Group",\n   "name": "b"}\n]\n';
    const { documents } = loadDocumentsFromText('d.json', text, 'json');
    expect(documents.map((d) => [d.index, d.line, (d.value as { name: string }).name])).toEqual([
      [0, 2, 'a'],
      [1, 3, 'b'],
    ]);
    expect(documents[1]?.lineOf(['name'])).toBe(4);
  });

  it('reports syntax problems with lines and loads nothing', () => {
    expect(
      loadDocumentsFromText('d.yaml', 'kind: Group\nname: [unclosed\nmembers: []\n', 'yaml'),
    ).toEqual({
      documents: [],
      problems: [
        {
          file: 'd.yaml',
          line: 3,
          column: 1,
          message:
            'Flow sequence in block collection must be sufficiently indented and end with a ]',
        },
      ],
    });
    expect(loadDocumentsFromText('d.json', '{\n"a": 1,\n}', 'json').problems[0]?.message).toMatch(
      /^not valid JSON: /,
    );
    expect(loadDocumentsFromText('e.yaml', '', 'yaml').problems).toEqual([
      { file: 'e.yaml', line: 1, message: 'the file holds no documents' },
    ]);
  });

  it('refuses alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      bomb.push(
        `${next}: &${next} [*${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}, *${prev}]`,
      );
    }
    const result = loadDocumentsFromText('bomb.yaml', bomb.join('\n'), 'yaml');
    expect(result.documents).toEqual([]);
    expect(result.problems[0]?.message).toMatch(/alias/i);
  });

  it('chooses the format by extension', () => {
    expect(formatOf('a.JSON')).toBe('json');
    expect(formatOf('a.yml')).toBe('yaml');
    expect(formatOf('-')).toBe('yaml');
  });
});
