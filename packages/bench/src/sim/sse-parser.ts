/**
 * An incremental parser of a `text/event-stream` body (the WHATWG "server-sent events" format),
 * fed with chunks as they arrive: a chunk may end anywhere, even inside a line or between the CR
 * and LF of a line break. Comments (`: ping`) are counted but produce no event.
 */

export interface ServerSentEvent {
  /** The `event:` field; "message" when absent, as the format says. */
  readonly event: string;
  /** The `data:` lines joined with "\n". */
  readonly data: string;
  readonly id?: string;
}

export class SseParser {
  private buffer = '';
  private eventName = '';
  private dataLines: string[] = [];
  private hasData = false;
  private eventId: string | undefined;
  /** Set when the previous chunk ended with CR, so a leading LF of the next one is skipped. */
  private pendingCarriageReturn = false;
  /** Comment lines seen (the server's keep-alive pings). */
  comments = 0;

  /** Feeds one chunk; returns the events it completed, in order. */
  push(chunk: string): ServerSentEvent[] {
    let text = chunk;
    if (this.pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
    this.pendingCarriageReturn = false;
    this.buffer += text;
    const events: ServerSentEvent[] = [];
    let start = 0;
    for (let i = 0; i < this.buffer.length; i += 1) {
      const code = this.buffer.charCodeAt(i);
      if (code !== 10 && code !== 13) continue;
      const line = this.buffer.slice(start, i);
      if (code === 13) {
        if (i + 1 === this.buffer.length) this.pendingCarriageReturn = true;
        else if (this.buffer.charCodeAt(i + 1) === 10) i += 1;
      }
      start = i + 1;
      const event = this.line(line);
      if (event) events.push(event);
    }
    this.buffer = this.buffer.slice(start);
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) {
      this.comments += 1;
      return undefined;
    }
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventName = value;
        break;
      case 'data':
        this.dataLines.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.eventId = value;
        break;
      default:
        // `retry` and unknown fields are ignored: the simulator has its own reconnect policy.
        break;
    }
    return undefined;
  }

  private dispatch(): ServerSentEvent | undefined {
    const name = this.eventName === '' ? 'message' : this.eventName;
    const data = this.dataLines.join('\n');
    const hadData = this.hasData;
    this.eventName = '';
    this.dataLines = [];
    this.hasData = false;
    if (!hadData) return undefined;
    return this.eventId === undefined
      ? { event: name, data }
      : { event: name, data, id: this.eventId };
  }
}
