import { HubConnectionState, type HubConnection } from "@microsoft/signalr";

/** The members of SignalR's HubConnection (10.0) that send its keep-alive ping; private there, so checked at runtime. */
interface PingInternals {
  _sendMessage?: (message: unknown) => Promise<void>;
  _cachedPingMessage?: unknown;
  _nextKeepAlive?: number;
}

/**
 * @internal Keeps pinging the hub while the connection hears nothing. SignalR's JavaScript client schedules its next
 * ping only when a message arrives, so a client whose incoming side stalls stops pinging, and the hub then drops a
 * client whose way out still works. This timer sends SignalR's own ping whenever one is due and none went out, on
 * the connection's `keepAliveIntervalInMilliseconds`; while messages flow, SignalR's own pings make it do nothing.
 */
export class KeepAlivePinger {
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly connection: HubConnection) {}

  start(): void {
    this.stop();
    const internals = this.connection as unknown as PingInternals;
    if (typeof internals._sendMessage !== "function" || internals._cachedPingMessage === undefined) {
      return; // Another SignalR version: its own keep-alive is all there is.
    }

    // Half the interval, so a due ping goes out at most half an interval late.
    const period = Math.max(50, Math.floor(this.connection.keepAliveIntervalInMilliseconds / 2));
    this.timer = setInterval(() => this.pingIfDue(internals), period);
    // Never what keeps a Node.js process alive.
    (this.timer as { unref?: () => void }).unref?.();
  }

  stop(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private pingIfDue(internals: PingInternals): void {
    if (this.connection.state !== HubConnectionState.Connected || Date.now() < (internals._nextKeepAlive ?? 0)) {
      return;
    }

    // Sending resets SignalR's own keep-alive deadline, so the next ping is due an interval from now.
    internals._sendMessage!.call(this.connection, internals._cachedPingMessage).catch(() => undefined);
  }
}
