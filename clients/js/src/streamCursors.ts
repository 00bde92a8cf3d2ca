import { sameStreamEpoch, supersedes } from "./streamPositions.js";

interface Cursor {
  durable: boolean;
  position: string | null;
}

/**
 * @internal The last position delivered per (database, channel) of outbox databases, and which channels resume from
 * it after a reconnect (those subscribed with `subscribeFrom`). Per channel, not per database: a channel subscribed
 * later than another starts at its own position, and resuming it from the other's would replay rows it never
 * subscribed to. Within one channel the hub delivers in stream order, so its last position says everything before
 * it has been delivered.
 */
export class StreamCursors {
  private readonly cursors = new Map<string, Map<string, Cursor>>();
  private readonly latest = new Map<string, string>();

  /**
   * Records a notification's position; false when it is at or before the last one delivered on its channel (a
   * repeat where a resume meets the live stream), which the caller drops. Notifications without a position pass.
   */
  tryAdvance(database: string, channel: string, position: string | null): boolean {
    if (position === null) {
      return true;
    }

    const cursor = this.cursorOf(database, channel);
    if (!supersedes(position, cursor.position)) {
      return false;
    }

    cursor.position = position;
    this.advanceLatest(database, position);
    return true;
  }

  /**
   * After `SubscribeFrom` answered: the channels resume after reconnects, from at least `position`, a place up to
   * which nothing more will arrive (the position resumed from, or the head the hub started live at). With
   * `keepOwnEpoch` a channel that already has a position of that epoch keeps it: it was live already, and
   * notifications it has not handled yet may lie before the head.
   */
  resumed(database: string, channels: readonly string[], position: string, keepOwnEpoch = false): void {
    for (const channel of channels) {
      const cursor = this.cursorOf(database, channel);
      cursor.durable = true;
      const keep = keepOwnEpoch && cursor.position !== null && sameStreamEpoch(cursor.position, position);
      if (!keep && supersedes(position, cursor.position)) {
        cursor.position = position;
      }
    }

    this.advanceLatest(database, position);
  }

  /** The position a durable channel resumes from; undefined when `channel` resubscribes plainly. */
  resumePosition(database: string, channel: string): string | null | undefined {
    const cursor = this.cursors.get(database)?.get(channel);
    return cursor?.durable ? cursor.position : undefined;
  }

  /** The last position delivered on `channel`, or on any channel of the database when null. */
  positionOf(database: string, channel: string | null): string | null {
    if (channel === null) {
      return this.latest.get(database) ?? null;
    }

    return this.cursors.get(database)?.get(channel)?.position ?? null;
  }

  /** After an unsubscribe: the channel (every channel of the database when null) is no longer tracked. */
  forget(database: string, channel: string | null): void {
    const channels = this.cursors.get(database);
    if (channel !== null) {
      channels?.delete(channel);
    }

    if (channel === null || channels?.size === 0) {
      this.cursors.delete(database);
      this.latest.delete(database);
    }
  }

  private cursorOf(database: string, channel: string): Cursor {
    let channels = this.cursors.get(database);
    if (!channels) {
      channels = new Map();
      this.cursors.set(database, channels);
    }

    let cursor = channels.get(channel);
    if (!cursor) {
      cursor = { durable: false, position: null };
      channels.set(channel, cursor);
    }

    return cursor;
  }

  private advanceLatest(database: string, position: string): void {
    if (supersedes(position, this.latest.get(database))) {
      this.latest.set(database, position);
    }
  }
}
