import { type FleetListener, ListenerRegistry, type PushEvent, type PushHub } from './push-hub.js';

/** One process, no database: notices go straight to this process's listeners (SQLite mode). */
export class MemoryPushHub implements PushHub {
  private readonly registry = new ListenerRegistry();
  private closed = false;

  get listenerCount(): number {
    return this.registry.listenerCount;
  }

  async publish(tenantId: string, deviceIds: readonly string[], event: PushEvent): Promise<void> {
    if (this.closed) return;
    // Delivered on a later tick, like a notice through the database: a publisher never runs
    // listener code inside its own call stack.
    await Promise.resolve();
    this.registry.deliver(tenantId, deviceIds, event);
  }

  subscribe(deviceId: string, listener: (event: PushEvent) => void): () => void {
    return this.registry.subscribe(deviceId, listener);
  }

  subscribeTenants(listener: (tenantId: string, event: PushEvent) => void): () => void {
    return this.registry.subscribeTenants(listener);
  }

  subscribeFleet(listener: FleetListener): () => void {
    return this.registry.subscribeFleet(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
