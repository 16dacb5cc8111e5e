import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseParser } from './sse-parser.js';

const stream =
  ': ping\n\nevent: revision\ndata: {"revision":7}\n\n' +
  'event: sync\r\ndata: {"syncRequestId":"s-1"}\r\n\r\n' +
  'data: line one\ndata: line two\nid: 42\n\n' +
  'event: empty-without-data\n\n';

const expected = [
  { event: 'revision', data: '{"revision":7}' },
  { event: 'sync', data: '{"syncRequestId":"s-1"}' },
  { event: 'message', data: 'line one\nline two', id: '42' },
];

describe('SseParser', () => {
  it('parses events, multi-line data, ids and CRLF line breaks, and counts comments', () => {
    const parser = new SseParser();
    expect(parser.push(stream)).toEqual(expected);
    expect(parser.comments).toBe(1);
  });

  it('gives the same events however the stream is cut into chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: stream.length }), { maxLength: 12 }),
        (cuts) => {
          const points = [...new Set(cuts)].sort((a, b) => a - b);
          const parser = new SseParser();
          const events = [];
          let start = 0;
          for (const point of [...points, stream.length]) {
            events.push(...parser.push(stream.slice(start, point)));
            start = point;
          }
          expect(events).toEqual(expected);
        },
      ),
    );
  });

  it('keeps an event that is not finished until its blank line arrives', () => {
    const parser = new SseParser();
    expect(parser.push('event: revision\ndata: {"revision":1}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'revision', data: '{"revision":1}' }]);
  });
});
