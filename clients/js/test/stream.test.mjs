// The JavaScript client on an outbox database, against the real hub and PostgreSQL: it resumes from the last position
// it delivered, once, in order, and resyncs only when the hub cannot; and a client that stops receiving keeps pinging
// and starts its client-reconnected window at the last message it got.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { CLIENT_RECONNECTED, HubError, LogLevel, NotificationHubClient, ResyncReasons, compareStreamPositions } from "../dist/index.js";
import { literal } from "./support/postgres.mjs";
import { eventually } from "./support/processes.mjs";
import { startProxy } from "./support/proxy.mjs";
import { Recorder } from "./support/recorder.mjs";
import { startScenario } from "./support/scenario.mjs";

const DATABASE = "stream";
const PG_DATABASE = "js_stream";
const CHANNELS = ["events", "other"];

describe("NotificationHubClient on an outbox database", () => {
  let scenario;
  let postgres;
  let hub;
  const clients = [];

  before(async () => {
    scenario = await startScenario({
      database: DATABASE,
      pgDatabase: PG_DATABASE,
      channels: CHANNELS,
      settings: {
        [`Hub__Databases__${DATABASE}__Outbox__Enabled`]: "true",
        [`Hub__Databases__${DATABASE}__Outbox__PollInterval`]: "00:00:00.200",
      },
    });
    ({ postgres, hub } = scenario);
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.stop()));
  });

  after(() => scenario?.stop());

  async function connected(options = {}) {
    const client = new NotificationHubClient({ url: hub.hubUrl, logger: LogLevel.None, maxReconnectDelayMs: 500, ...options });
    clients.push(client);
    const recorder = new Recorder(client);
    await client.start();
    return { client, recorder };
  }

  /** Publishes each payload in its own transaction, one after the other, as an application would. */
  async function publish(...payloads) {
    for (const payload of payloads) {
      await postgres.sql(PG_DATABASE, `SELECT notify_hub.publish('events', ${literal(payload)})`);
    }
  }

  const numbered = (prefix, from, count) => Array.from({ length: count }, (_, i) => `${prefix}${from + i}`);
  const payloadsOf = (recorder, prefix) => recorder.notifications.filter((n) => n.payload.startsWith(prefix));

  test("after the hub is killed and restarted while publishing, the client gets exactly the missed events in order and no resync [stream-resume]", async () => {
    const TOTAL = 120;
    const { client, recorder } = await connected();
    const subscription = await client.subscribeFrom(DATABASE, "events", null);
    assert.equal(subscription.recovered, true);
    assert.deepEqual(subscription.channels, ["events"]);
    assert.equal(client.positionOf(DATABASE, "events"), subscription.position);

    const publishing = publish(...numbered("kill-", 0, TOTAL));
    await recorder.notificationsMatching((n) => n.payload.startsWith("kill-"), 10);
    await hub.stop("SIGKILL");
    await eventually(() => client.state === "reconnecting", { what: "the client to notice the hub died" });
    await hub.start();
    await publishing;
    await recorder.notificationsMatching((n) => n.payload.startsWith("kill-"), TOTAL, 30_000);
    await eventually(() => client.state === "connected", { timeoutMs: 20_000, what: "the client to reconnect" });
    await publish("kill-marker");
    await recorder.notification((n) => n.payload === "kill-marker");

    const received = payloadsOf(recorder, "kill-");
    assert.deepEqual(received.map((n) => n.payload), [...numbered("kill-", 0, TOTAL), "kill-marker"]);
    received.slice(1).forEach((n, i) => assert.equal(compareStreamPositions(received[i].position, n.position), -1));
    assert.deepEqual(recorder.resyncs, [], "a resumed subscription missed nothing");
    assert.equal(client.positionOf(DATABASE, "events"), received.at(-1).position);
    assert.equal(client.positionOf(DATABASE), received.at(-1).position);
  });

  test("a stored position resumes a new client (a page reload) and a repeated replay is dropped [stream-resume]", async () => {
    const first = await connected();
    await first.client.subscribeFrom(DATABASE, "events", null);
    await publish(...numbered("stored-", 0, 5));
    await first.recorder.notificationsMatching((n) => n.payload.startsWith("stored-"), 5);
    const stored = first.client.positionOf(DATABASE, "events");
    await first.client.stop();

    await publish(...numbered("stored-", 5, 3)); // while no client of this application is connected
    const { client, recorder } = await connected();
    const subscription = await client.subscribeFrom(DATABASE, "events", stored);
    assert.equal(subscription.recovered, true);
    await recorder.notificationsMatching((n) => n.payload.startsWith("stored-"), 3);
    const last = recorder.notifications.at(-1).position;
    // The answer stands at the last row the replay read; rows not yet visible to it then came live right after.
    assert.ok(compareStreamPositions(subscription.position, last) <= 0);
    assert.equal(client.positionOf(DATABASE, "events"), last);

    // The hub replays the same three again; each is at or before what the client delivered.
    await client.subscribeFrom(DATABASE, "events", stored);
    await publish("stored-after");
    await recorder.notification((n) => n.payload === "stored-after");
    assert.deepEqual(payloadsOf(recorder, "stored-").map((n) => n.payload), [...numbered("stored-", 5, 3), "stored-after"]);
    assert.deepEqual(recorder.resyncs, []);
  });

  test("a position from another epoch at start is one history-unavailable resync, and live delivery goes on [stream-history-unavailable]", async () => {
    const live = await connected();
    await live.client.subscribeFrom(DATABASE, "events", null);
    await publish("epoch-old");
    const old = await live.recorder.notification((n) => n.payload === "epoch-old");
    await postgres.sql(PG_DATABASE, "TRUNCATE notify_hub.outbox");
    await publish("epoch-new");
    const current = await live.recorder.notification((n) => n.payload === "epoch-new");
    assert.equal(compareStreamPositions(old.position, current.position), null, "positions of two epochs have no order");

    const { client, recorder } = await connected();
    const subscription = await client.subscribeFrom(DATABASE, "events", old.position);
    assert.equal(subscription.recovered, false);
    assert.equal(subscription.position, current.position);
    const resync = await recorder.resync((r) => r.reason === ResyncReasons.historyUnavailable);
    assert.equal(resync.database, DATABASE);
    await publish("epoch-live");
    const next = await recorder.notification((n) => n.payload === "epoch-live");
    assert.equal(client.positionOf(DATABASE, "events"), next.position);
    assert.equal(recorder.resyncs.length, 1);
  });

  test("an outbox truncated while the client was away is one history-unavailable resync after the reconnect [stream-history-unavailable]", async () => {
    const { client, recorder } = await connected();
    await client.subscribeFrom(DATABASE, "events", null);
    await publish("away-before");
    await recorder.notification((n) => n.payload === "away-before");

    await hub.stop("SIGTERM");
    await eventually(() => client.state === "reconnecting", { what: "the client to notice the hub went away" });
    await postgres.sql(PG_DATABASE, "TRUNCATE notify_hub.outbox");
    await hub.start();

    const resync = await recorder.resync((r) => r.reason === ResyncReasons.historyUnavailable, 20_000);
    assert.equal(resync.database, DATABASE);
    await eventually(() => client.state === "connected", { timeoutMs: 20_000, what: "the client to reconnect" });
    await publish("away-live");
    await recorder.notification((n) => n.payload === "away-live");
    assert.deepEqual(recorder.resyncs.map((r) => r.reason), [ResyncReasons.historyUnavailable]);
  });

  test("a refused subscribeFrom rejects with the hub's message, keeps nothing, and the client carries on [refusal]", async () => {
    const { client, recorder } = await connected();

    await assert.rejects(client.subscribeFrom(DATABASE, "events", "garbage"), (error) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.method, "SubscribeFrom");
      assert.match(error.message, /is not a valid stream position/);
      return true;
    });
    assert.equal(client.subscriptions.size, 0);
    assert.equal(client.positionOf(DATABASE, "events"), null);

    await client.subscribeFrom(DATABASE, "events", null);
    await publish("after-refusal");
    await recorder.notification((n) => n.payload === "after-refusal");
  });

  test("a client that stops receiving is noticed by its server timeout, keeps pinging, and its window starts at the last notification [resync-window]", async () => {
    const SERVER_TIMEOUT_MS = 5_000;
    const proxy = await startProxy(hub.port);
    try {
      const { client, recorder } = await connected({
        url: `http://127.0.0.1:${proxy.port}/hubs/notifications`,
        skipNegotiation: true,
        configureConnection: (builder) => builder.withServerTimeout(SERVER_TIMEOUT_MS).withKeepAliveInterval(300),
      });
      await client.subscribe(DATABASE, "other");
      const beforeLastMessage = Date.now();
      await postgres.sql(PG_DATABASE, "SELECT notify_hub.publish('other', 'last-before-stall')");
      await recorder.notification((n) => n.payload === "last-before-stall");

      const stalledAt = Date.now();
      const sentBefore = proxy.bytesFromClients;
      proxy.pauseServerReads();
      await eventually(() => recorder.disconnects > 0, { timeoutMs: 30_000, intervalMs: 20, what: "the server timeout" });
      const lostAt = Date.now();
      const sentWhileStalled = proxy.bytesFromClients - sentBefore;
      proxy.resumeServerReads();
      const resync = await recorder.resync((r) => r.reason === CLIENT_RECONNECTED, 30_000);

      assert.ok(lostAt - stalledAt >= SERVER_TIMEOUT_MS - 500, `noticed by the server timeout, after ${lostAt - stalledAt} ms`);
      // A JSON ping is 11 bytes before WebSocket framing; SignalR alone sends one at most once nothing arrives.
      assert.ok(sentWhileStalled >= 5 * 11, `the client kept pinging while it heard nothing: ${sentWhileStalled} bytes`);
      assert.equal(resync.database, DATABASE);
      assert.ok(resync.since.getTime() >= beforeLastMessage, "the window starts no earlier than the last message");
      assert.ok(resync.since.getTime() <= stalledAt + 1_500, `the window starts at the last message, not ${resync.since.getTime() - stalledAt} ms after the stall`);
      assert.ok(resync.until.getTime() >= lostAt);
    } finally {
      await Promise.allSettled(clients.splice(0).map((client) => client.stop()));
      await proxy.close();
    }
  });
});

describe("NotificationHubClient on an outbox database whose retention is short", () => {
  const DATABASE_BRIEF = "brief";
  const PG_DATABASE_BRIEF = "js_stream_brief";
  let scenario;
  const clients = [];

  before(async () => {
    scenario = await startScenario({
      database: DATABASE_BRIEF,
      pgDatabase: PG_DATABASE_BRIEF,
      channels: ["events"],
      settings: {
        [`Hub__Databases__${DATABASE_BRIEF}__Outbox__Enabled`]: "true",
        [`Hub__Databases__${DATABASE_BRIEF}__Outbox__Retention`]: "00:00:01",
        [`Hub__Databases__${DATABASE_BRIEF}__Outbox__PollInterval`]: "00:00:00.200",
      },
    });
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.stop()));
  });

  after(() => scenario?.stop());

  async function connected() {
    const client = new NotificationHubClient({ url: scenario.hub.hubUrl, logger: LogLevel.None, maxReconnectDelayMs: 500 });
    clients.push(client);
    const recorder = new Recorder(client);
    await client.start();
    return { client, recorder };
  }

  test("a position older than retention is recovered: false and one history-unavailable resync, and live delivery goes on [stream-history-unavailable]", async () => {
    const live = await connected();
    await live.client.subscribeFrom(DATABASE_BRIEF, "events", null);
    for (const payload of ["old-0", "old-1", "old-2"]) {
      await scenario.postgres.sql(PG_DATABASE_BRIEF, `SELECT notify_hub.publish('events', ${literal(payload)})`);
    }
    const seen = await live.recorder.notificationsMatching((n) => n.payload.startsWith("old-"), 3);
    await eventually(async () => (await scenario.postgres.sql(PG_DATABASE_BRIEF, "SELECT count(*) FROM notify_hub.outbox"))[0] === "0", {
      timeoutMs: 20_000,
      what: "retention to delete the delivered rows",
    });

    const { client, recorder } = await connected();
    const subscription = await client.subscribeFrom(DATABASE_BRIEF, "events", seen[0].position);
    assert.equal(subscription.recovered, false);
    const resync = await recorder.resync((r) => r.reason === ResyncReasons.historyUnavailable);
    assert.equal(resync.database, DATABASE_BRIEF);
    assert.equal(client.positionOf(DATABASE_BRIEF, "events"), subscription.position);

    // The last position delivered is not older than retention: nothing after it was deleted, so it resumes.
    const atLast = await connected();
    const resumed = await atLast.client.subscribeFrom(DATABASE_BRIEF, "events", seen[2].position);
    assert.equal(resumed.recovered, true);

    await scenario.postgres.sql(PG_DATABASE_BRIEF, `SELECT notify_hub.publish('events', ${literal("after-retention")})`);
    const next = await recorder.notification((n) => n.payload === "after-retention");
    assert.equal(client.positionOf(DATABASE_BRIEF, "events"), next.position);
    assert.deepEqual(recorder.resyncs.map((r) => r.reason), [ResyncReasons.historyUnavailable]);
    assert.deepEqual(recorder.notifications.map((n) => n.payload), ["after-retention"], "nothing from before retention is replayed");
    const onLast = await atLast.recorder.notification((n) => n.payload === "after-retention");
    assert.equal(onLast.position, next.position);
    assert.deepEqual(atLast.recorder.resyncs, []);
  });
});
