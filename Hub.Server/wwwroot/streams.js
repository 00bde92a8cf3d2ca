// Durable subscriptions of the live page: for outbox databases, the position of the last notification shown on each
// subscribed channel is kept in localStorage, so that a reload subscribes again from there and shows what it missed.
// Written at most every 250 ms (a thousand notifications a second must not mean a thousand synchronous writes) and
// when the page goes away.

const PREFIX = "notify-hub-stream:";
const SAVE_DELAY_MS = 250;

export class StoredStreams {
  #storage;
  #positions = new Map();
  #timer = 0;

  constructor(storage = localStorage) {
    this.#storage = storage;
    for (let i = 0; i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(PREFIX)) {
        this.#positions.set(key, storage.getItem(key));
      }
    }

    addEventListener("pagehide", () => this.flush());
  }

  /** The stored subscriptions, as { database, channel, position }. */
  get all() {
    return [...this.#positions].map(([key, position]) => ({ ...parse(key), position }));
  }

  /** The stored position of `channel` of `database`, or null. */
  positionOf(database, channel) {
    return this.#positions.get(keyOf(database, channel)) ?? null;
  }

  /** Remembers a subscribed channel at `position`. */
  remember(database, channel, position) {
    this.#positions.set(keyOf(database, channel), position);
    this.#schedule();
  }

  /** A notification was shown: its channel's stored position moves to it, if that channel is stored. */
  advance(notification) {
    const key = keyOf(notification.database, notification.channel);
    if (notification.position && this.#positions.has(key)) {
      this.#positions.set(key, notification.position);
      this.#schedule();
    }
  }

  /** Forgets `channel` of `database`, or every channel of it when null. */
  forget(database, channel) {
    for (const key of [...this.#positions.keys()]) {
      const stored = parse(key);
      if (stored.database === database && (channel === null || stored.channel === channel)) {
        this.#positions.delete(key);
        this.#storage.removeItem(key);
      }
    }
  }

  flush() {
    clearTimeout(this.#timer);
    this.#timer = 0;
    for (const [key, position] of this.#positions) {
      this.#storage.setItem(key, position);
    }
  }

  #schedule() {
    if (!this.#timer) {
      this.#timer = setTimeout(() => this.flush(), SAVE_DELAY_MS);
    }
  }
}

// Database names and channels are identifiers without NUL, so it separates them unambiguously.
function keyOf(database, channel) {
  return `${PREFIX}${database}\u0000${channel}`;
}

function parse(key) {
  const [database, channel] = key.slice(PREFIX.length).split("\u0000");
  return { database, channel };
}
