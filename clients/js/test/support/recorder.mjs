// Records what a client raises, so tests can wait for it.
import { eventually } from "./processes.mjs";

export class Recorder {
  notifications = [];
  resyncs = [];
  states = [];
  disconnects = 0;
  reconnects = 0;

  constructor(client) {
    client.on("notification", (n) => this.notifications.push(n));
    client.on("resync", (r) => this.resyncs.push(r));
    client.on("stateChanged", (s) => this.states.push(s));
    client.on("disconnected", () => this.disconnects++);
    client.on("reconnected", () => this.reconnects++);
  }

  /** Waits until a notification matching `match` has arrived; returns it. */
  notification(match, timeoutMs = 10_000) {
    return eventually(() => this.notifications.find(match), { timeoutMs, what: "a matching notification" });
  }

  /** Waits until `count` notifications matching `match` have arrived; returns them in arrival order. */
  async notificationsMatching(match, count, timeoutMs = 15_000) {
    await eventually(() => this.notifications.filter(match).length >= count, { timeoutMs, what: `${count} notifications` });
    return this.notifications.filter(match);
  }

  /** Waits until a resync matching `match` has arrived; returns it. */
  resync(match, timeoutMs = 15_000) {
    return eventually(() => this.resyncs.find(match), { timeoutMs, what: "a matching resync" });
  }
}
