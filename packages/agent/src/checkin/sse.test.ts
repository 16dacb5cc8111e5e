import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from './sse.js';

function streamOf(chunks: readonly string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function all(
  chunks: readonly string[],
): Promise<{ events: ServerSentEvent[]; activity: number }> {
  const events: ServerSentEvent[] = [];
  let activity = 0;
  for await (const event of readServerSentEvents(streamOf(chunks), () => activity++))
    events.push(event);
  return { events, activity };
}

describe('readServerSentEvents', () => {
  it('reads events split across chunks, skipping comments, with CRLF and multi-line data', async () => {
    const { events, activity } = await all([
      ': ping\n\nevent: rev',
      'ision\ndata: {"revision":',
      '3}\n\n',
      ': ping\r\n\r\nevent: sync\r\ndata: {"syncRequestId":\r\ndata: "s-1"}\r\n\r\n',
      'data: trailing without a blank line',
    ]);
    expect(events).toEqual([
      { event: 'revision', data: '{"revision":3}' },
      { event: 'sync', data: '{"syncRequestId":\n"s-1"}' },
    ]);
    // Every chunk counts as a sign of life, pings included.
    expect(activity).toBe(5);
  });
});
