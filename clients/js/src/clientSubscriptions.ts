/**
 * @internal The databases and channels a client is subscribed to, which it subscribes to again after every
 * reconnect, and the gate that runs subscribing, unsubscribing and resubscribing one at a time, so that what is
 * remembered here matches what the hub has.
 */
export class ClientSubscriptions {
  private readonly channels = new Map<string, Set<string>>();
  private gate: Promise<unknown> = Promise.resolve();

  /** A copy of every database's channels, sorted. */
  get current(): ReadonlyMap<string, readonly string[]> {
    return new Map([...this.channels].map(([database, channels]) => [database, [...channels].sort()]));
  }

  /**
   * Runs `work` once no other subscription change runs. A change made meanwhile runs before or after it, never in
   * between (which could, for example, subscribe the hub to a channel the client had just left).
   */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.gate.then(work, work);
    this.gate = result.catch(() => undefined);
    return result;
  }

  /** The hub answered a subscribe: `channels` are the database's channels now. */
  set(database: string, channels: Iterable<string>): void {
    this.channels.set(database, new Set(channels));
  }

  /** The client unsubscribed from `channel` of `database` (every channel when null). */
  remove(database: string, channel: string | null): void {
    const channels = this.channels.get(database);
    if (channel === null) {
      this.channels.delete(database);
    } else if (channels && channels.delete(channel) && channels.size === 0) {
      this.channels.delete(database);
    }
  }
}
