/**
 * The push port: how a change saved by any server process reaches the agents connected to this
 * one. A notice names devices, never configurations: the notify stream that receives it reads the
 * device's current revision from the store, so a lost or duplicated notice can only cause an extra
 * read, never a wrong answer.
 */

/** What a notice says about the devices it names. */
export type PushEvent =
  /** The device's configuration (or enrollment) moved: the listener compares revisions. */
  | { readonly kind: 'revision' }
  /** An administrator asked for a sync now. */
  | { readonly kind: 'sync'; readonly syncRequestId: string }
  /**
   * The tenant's policies, groups, asset rules or settings changed: drop in-memory caches. Sent
   * with no device ids; delivered to tenant listeners.
   */
  | { readonly kind: 'caches' };

export type DeviceListener = (event: PushEvent) => void;
export type TenantListener = (tenantId: string, event: PushEvent) => void;
/** Hears every device notice (`'all'`: notices may have been lost, every device may have moved). */
export type FleetListener = (deviceIds: readonly string[] | 'all', event: PushEvent) => void;

export interface PushHub {
  /** Sends a notice to every process; resolves once it has been handed to the transport. */
  publish(tenantId: string, deviceIds: readonly string[], event: PushEvent): Promise<void>;
  /** Listens for notices naming one device; returns the function that stops listening. */
  subscribe(deviceId: string, listener: DeviceListener): () => void;
  /** Listens for tenant-wide notices (cache invalidation); returns the function that stops. */
  subscribeTenants(listener: TenantListener): () => void;
  /**
   * Listens for every device notice, whichever devices it names, before the device listeners
   * hear it (the in-memory credential cache drops what moved); returns the function that stops.
   */
  subscribeFleet(listener: FleetListener): () => void;
  /** Devices with at least one open listener in this process (the notify-connections gauge). */
  readonly listenerCount: number;
  close(): Promise<void>;
}

/**
 * The local fan-out both implementations share: device id → listeners. A listener that throws is
 * isolated from the others.
 */
export class ListenerRegistry {
  private readonly devices = new Map<string, Set<DeviceListener>>();
  private readonly tenants = new Set<TenantListener>();
  private readonly fleet = new Set<FleetListener>();
  private count = 0;

  get listenerCount(): number {
    return this.count;
  }

  subscribe(deviceId: string, listener: DeviceListener): () => void {
    let set = this.devices.get(deviceId);
    if (!set) {
      set = new Set();
      this.devices.set(deviceId, set);
    }
    set.add(listener);
    this.count++;
    let active = true;
    return () => {
      if (!active) return;
      active = false;
      this.count--;
      const current = this.devices.get(deviceId);
      current?.delete(listener);
      if (current && current.size === 0) this.devices.delete(deviceId);
    };
  }

  subscribeTenants(listener: TenantListener): () => void {
    this.tenants.add(listener);
    return () => {
      this.tenants.delete(listener);
    };
  }

  subscribeFleet(listener: FleetListener): () => void {
    this.fleet.add(listener);
    return () => {
      this.fleet.delete(listener);
    };
  }

  deliver(tenantId: string, deviceIds: readonly string[], event: PushEvent): void {
    if (event.kind === 'caches') {
      for (const listener of [...this.tenants]) safely(() => listener(tenantId, event));
      return;
    }
    for (const listener of [...this.fleet]) safely(() => listener(deviceIds, event));
    for (const deviceId of deviceIds) {
      const set = this.devices.get(deviceId);
      if (!set) continue;
      for (const listener of [...set]) safely(() => listener(event));
    }
  }

  /** Tells every local device listener to re-check (after a transport gap where notices may be lost). */
  deliverToAll(event: PushEvent): void {
    for (const listener of [...this.fleet]) safely(() => listener('all', event));
    for (const set of [...this.devices.values()]) {
      for (const listener of [...set]) safely(() => listener(event));
    }
  }
}

function safely(call: () => void): void {
  try {
    call();
  } catch {
    // A broken listener (a closed stream) must not stop the notice reaching the others.
  }
}
