/**
 * Which city each device belongs to, for deciding what an operator may receive: device topics do
 * not carry the city. Filled from every device that authenticates on this broker (so a device
 * connected here is always known) and kept right by the control channel; a device heard of only
 * through another broker is looked up in the registry once, in the background (`lookup`).
 * Forwarding is synchronous, so until that lookup returns its messages are not forwarded: fail closed.
 */
export class DeviceCities {
  private readonly cities = new Map<string, string>();
  private readonly pending = new Set<string>();

  constructor(
    private readonly lookup: (deviceId: string) => Promise<string | undefined>,
    private readonly maxEntries = 1_000_000,
  ) {}

  set(deviceId: string, city: string): void {
    if (!this.cities.has(deviceId) && this.cities.size >= this.maxEntries) {
      const oldest = this.cities.keys().next().value;
      if (oldest !== undefined) this.cities.delete(oldest);
    }
    this.cities.set(deviceId, city);
  }

  forget(deviceId: string): void {
    this.cities.delete(deviceId);
  }

  /** The device's city if known now; otherwise starts a lookup and answers undefined. */
  get(deviceId: string): string | undefined {
    const city = this.cities.get(deviceId);
    if (city === undefined && !this.pending.has(deviceId)) {
      this.pending.add(deviceId);
      this.lookup(deviceId).then(
        (found) => {
          this.pending.delete(deviceId);
          if (found !== undefined) this.set(deviceId, found);
        },
        () => this.pending.delete(deviceId),
      );
    }
    return city;
  }
}
