import { MessageType } from "@microsoft/signalr";
import type { HubMessage, IHubProtocol, ILogger, TransferFormat } from "@microsoft/signalr";

/**
 * @internal When the client last heard from the hub: any message (notification, resync, invocation result, or the
 * hub's keep-alive ping) or a completed handshake. A lost connection's `client-reconnected` window starts there, the
 * last moment delivery is known to have worked, not when the loss was noticed (up to the server timeout later).
 */
export class ReceiveClock {
  private last = Date.now();

  /** The moment of the last message. */
  get lastHeard(): Date {
    return new Date(this.last);
  }

  /** Records that something arrived now. */
  stamp(): void {
    this.last = Date.now();
  }
}

/**
 * @internal The connection's hub protocol, unchanged, that also stamps a {@link ReceiveClock} for each batch of
 * messages it parses. SignalR has no event for the hub's pings; every message, pings included, passes through the
 * protocol, so this is where "last heard from the hub" is known exactly. The hub's close message does not count: a
 * closing connection may already be out of its groups, so it says nothing about what was delivered.
 */
export class ReceiveStampingProtocol implements IHubProtocol {
  constructor(private readonly inner: IHubProtocol, private readonly clock: ReceiveClock) {}

  get name(): string {
    return this.inner.name;
  }

  get version(): number {
    return this.inner.version;
  }

  get transferFormat(): TransferFormat {
    return this.inner.transferFormat;
  }

  parseMessages(input: string | ArrayBuffer, logger: ILogger): HubMessage[] {
    const messages = this.inner.parseMessages(input, logger);
    if (messages.some((message) => message.type !== MessageType.Close)) {
      this.clock.stamp();
    }

    return messages;
  }

  writeMessage(message: HubMessage): string | ArrayBuffer {
    return this.inner.writeMessage(message);
  }
}
