// The JavaScript client's constants are the contract both clients share (clients/contract.json).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { DEFAULT_MAX_RECONNECT_DELAY_MS, FIRST_DELAY_MS } from "../dist/foreverRetryPolicy.js";
import { ClientMethods, HubMethods, toNotification, toResync } from "../dist/messages.js";
import { CLIENT_RECONNECTED, foreverRetryDelay, LISTENER_RECONNECTED, NotificationHubClient, ResyncReasons } from "../dist/index.js";

const contract = JSON.parse(readFileSync(new URL("../../contract.json", import.meta.url), "utf8"));

describe("client contract", () => {
  test("hub and client method names are the contract's [contract]", () => {
    assert.deepEqual({ ...HubMethods }, contract.hubMethods);
    assert.deepEqual({ ...ClientMethods }, contract.clientMethods);
  });

  test("every envelope field of the contract is read, and no other [contract]", () => {
    const wire = (fields) => Object.fromEntries(fields.map((field) => [field, field === "processId" ? 42 : /At$|since|until/.test(field) ? "2024-01-02T03:04:05.000Z" : `${field}-value`]));
    const notification = toNotification(wire(contract.envelopes.notification));
    const resync = toResync(wire(contract.envelopes.resync));
    assert.deepEqual(Object.keys(notification), contract.envelopes.notification);
    assert.deepEqual(Object.keys(resync), contract.envelopes.resync);
    assert.equal(notification.processId, 42);
    assert.equal(resync.since.toISOString(), "2024-01-02T03:04:05.000Z");
  });

  test("resync reasons are the contract's, the same the .NET client exports [contract]", () => {
    assert.deepEqual({ ...ResyncReasons }, contract.resyncReasons);
    assert.equal(CLIENT_RECONNECTED, contract.resyncReasons.clientReconnected);
    assert.equal(LISTENER_RECONNECTED, contract.resyncReasons.listenerReconnected);
  });

  test("reconnect waits follow the contract's rules [contract]", () => {
    const rules = contract.reconnect;
    assert.equal(FIRST_DELAY_MS, rules.firstDelayMs);
    assert.equal(DEFAULT_MAX_RECONNECT_DELAY_MS, rules.defaultMaxDelayMs);
    assert.equal(rules.jitter, "equal");
    assert.equal(foreverRetryDelay(0, rules.defaultMaxDelayMs, () => 0.999), 0);
    for (let previous = 1; previous <= 40; previous++) {
      const ceiling = Math.min(rules.defaultMaxDelayMs, rules.firstDelayMs * 2 ** Math.min(previous - 1, 20));
      assert.equal(foreverRetryDelay(previous, rules.defaultMaxDelayMs, () => 0), ceiling / 2);
      assert.equal(foreverRetryDelay(previous, rules.defaultMaxDelayMs, () => 1), ceiling);
    }
  });

  test("options without a url are rejected [options-url-required]", () => {
    assert.throws(() => new NotificationHubClient({}), { name: "TypeError", message: /url is required/ });
  });
});
