import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { JsonHubProtocol, NullLogger } from "@microsoft/signalr";
import { ReceiveClock, ReceiveStampingProtocol } from "../dist/receiveClock.js";

// What counts as hearing from the hub for a lost connection's client-reconnected window: every message the protocol
// parses, pings included, but not the hub's close message, which a closing connection may get after it left its groups.
describe("ReceiveStampingProtocol", () => {
  const separator = "\u001e";

  /** A clock and its protocol, and when the clock last heard, a millisecond before the test parses anything. */
  function stampingProtocol() {
    const clock = new ReceiveClock();
    const protocol = new ReceiveStampingProtocol(new JsonHubProtocol(), clock);
    const before = clock.lastHeard.getTime();
    while (Date.now() === before) {
      // Wait for the millisecond to change, so that a stamp is visible.
    }

    return { clock, protocol, before };
  }

  test("a ping counts as hearing from the hub", () => {
    const { clock, protocol, before } = stampingProtocol();

    protocol.parseMessages(`{"type":6}${separator}`, NullLogger.instance);

    assert.ok(clock.lastHeard.getTime() > before);
  });

  test("the hub's close message does not", () => {
    const { clock, protocol, before } = stampingProtocol();

    const messages = protocol.parseMessages(`{"type":7,"allowReconnect":true}${separator}`, NullLogger.instance);

    assert.equal(messages.length, 1);
    assert.equal(clock.lastHeard.getTime(), before);
  });
});
