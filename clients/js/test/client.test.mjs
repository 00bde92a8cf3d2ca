// The JavaScript client against the real hub (Hub.Server in a child process) and a real PostgreSQL.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { CLIENT_RECONNECTED, HubError, LISTENER_RECONNECTED, LogLevel, NotificationHubClient, ResyncReasons } from "../dist/index.js";
import { eventually, freePort } from "./support/processes.mjs";
import { Recorder } from "./support/recorder.mjs";
import { startScenario } from "./support/scenario.mjs";

const DATABASE = "app";
const PG_DATABASE = "js_client";
const CHANNELS = ["events", "other"];

describe("NotificationHubClient", () => {
  let scenario;
  let postgres;
  let hub;
  const clients = [];

  before(async () => {
    scenario = await startScenario({ database: DATABASE, pgDatabase: PG_DATABASE, channels: CHANNELS });
    ({ postgres, hub } = scenario);
  });

  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((client) => client.stop()));
  });

  after(() => scenario?.stop());

  function newClient(options = {}) {
    const client = new NotificationHubClient({ url: hub.hubUrl, logger: LogLevel.None, maxReconnectDelayMs: 1_000, ...options });
    clients.push(client);
    return client;
  }

  async function connected(options) {
    const client = newClient(options);
    const recorder = new Recorder(client);
    await client.start();
    return { client, recorder };
  }

  test("subscribe returns the channels now subscribed; null subscribes to every allowed channel [subscribe-receive]", async () => {
    const { client } = await connected();

    assert.deepEqual(await client.subscribe(DATABASE, "events"), ["events"]);
    assert.deepEqual([...(await client.subscribe(DATABASE, null))].sort(), CHANNELS);
    assert.deepEqual(client.subscriptions.get(DATABASE), CHANNELS);
  });

  test("receives a notification with its database, channel, payload, process id and time [subscribe-receive]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");
    const sentAfter = Date.now();

    const payload = JSON.stringify({ order: 42, note: "naïve ☕ 'quoted'" });
    const pid = await postgres.notify(PG_DATABASE, "events", payload);

    const received = await recorder.notification((n) => n.payload === payload);
    assert.equal(received.database, DATABASE);
    assert.equal(received.channel, "events");
    assert.equal(received.processId, pid);
    assert.ok(received.receivedAt instanceof Date);
    assert.ok(received.receivedAt.getTime() >= sentAfter - 1_000 && received.receivedAt.getTime() <= Date.now() + 1_000);
  });

  test("delivers notifications in the order PostgreSQL sent them [order]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");

    await postgres.sql(PG_DATABASE, "SELECT pg_notify('events', 'bulk-' || i) FROM generate_series(1, 500) AS i");
    for (let i = 501; i <= 510; i++) {
      await postgres.notify(PG_DATABASE, "events", `bulk-${i}`);
    }

    const received = await recorder.notificationsMatching((n) => n.payload.startsWith("bulk-"), 510);
    assert.deepEqual(received.map((n) => n.payload), Array.from({ length: 510 }, (_, i) => `bulk-${i + 1}`));
  });

  test("unsubscribe stops delivery of that channel and keeps the others [unsubscribe]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, null);
    await client.unsubscribe(DATABASE, "events");
    assert.deepEqual(client.subscriptions.get(DATABASE), ["other"]);

    // One database's notifications arrive in order, so once the later one is here the earlier one would be too.
    await postgres.notify(PG_DATABASE, "events", "after-unsubscribe");
    await postgres.notify(PG_DATABASE, "other", "still-subscribed");
    await recorder.notification((n) => n.payload === "still-subscribed");
    assert.equal(recorder.notifications.some((n) => n.payload === "after-unsubscribe"), false);

    await client.unsubscribe(DATABASE);
    assert.equal(client.subscriptions.has(DATABASE), false);
  });

  test("refused calls reject with the server's message, and the connection and other clients carry on [refusal]", async () => {
    const { client, recorder } = await connected();
    const bystander = await connected();
    await bystander.client.subscribe(DATABASE, "events");

    const refusals = [
      [() => client.subscribe("nope", "events"), "database 'nope' is not available"],
      [() => client.subscribe(DATABASE, "secret"), `channel name 'secret' is not allowed for database '${DATABASE}'`],
      [() => client.subscribe(DATABASE, ""), "channel name must not be empty (pass null for every channel of the database)"],
      [() => client.subscribe("", "events"), "database name is required"],
      [() => client.subscribe(DATABASE, "x".repeat(64)), "channel name must be at most 63 bytes"],
    ];
    for (const [call, message] of refusals) {
      await assert.rejects(call, (error) => {
        assert.ok(error instanceof HubError, `expected a HubError, got ${error}`);
        assert.equal(error.message, message);
        assert.equal(error.method, "Subscribe");
        return true;
      });
    }

    assert.equal(client.subscriptions.size, 0, "a refused subscribe keeps nothing");
    assert.equal(client.state, "connected");
    await client.subscribe(DATABASE, "events");
    await postgres.notify(PG_DATABASE, "events", "after-refusals");
    await recorder.notification((n) => n.payload === "after-refusals");
    await bystander.recorder.notification((n) => n.payload === "after-refusals");
  });

  test("speaks MessagePack with the same notification and resync shapes [messagepack]", async () => {
    const { client, recorder } = await connected({ protocol: "messagepack" });
    await client.subscribe(DATABASE, "other");

    const pid = await postgres.notify(PG_DATABASE, "other", "{\"via\":\"msgpack\"}");
    const received = await recorder.notification((n) => n.payload === "{\"via\":\"msgpack\"}");
    assert.equal(received.channel, "other");
    assert.equal(received.processId, pid);
    assert.ok(received.receivedAt instanceof Date && !Number.isNaN(received.receivedAt.getTime()));

    await postgres.terminateListeners(PG_DATABASE);
    const resync = await recorder.resync((r) => r.reason === LISTENER_RECONNECTED);
    assert.equal(resync.database, DATABASE);
    assert.ok(resync.since instanceof Date && resync.until instanceof Date);
    assert.ok(resync.since.getTime() <= resync.until.getTime());
  });

  test("a throwing notification or resync handler stops neither the other handlers nor delivery [handler-isolation]", async () => {
    const logged = [];
    const consoleError = console.error;
    console.error = (...args) => logged.push(args);
    try {
      const client = newClient();
      // Added before the recorder's handlers, so they run first and a throw would stop the rest.
      client.on("notification", () => { throw new Error("notification handler bug"); });
      client.on("resync", () => { throw new Error("resync handler bug"); });
      const recorder = new Recorder(client);
      await client.start();
      await client.subscribe(DATABASE, "events");

      await postgres.notify(PG_DATABASE, "events", "isolated-1");
      await postgres.notify(PG_DATABASE, "events", "isolated-2");
      await recorder.notification((n) => n.payload === "isolated-2");
      assert.deepEqual(recorder.notifications.map((n) => n.payload).filter((p) => p.startsWith("isolated-")), ["isolated-1", "isolated-2"]);

      await postgres.terminateListeners(PG_DATABASE);
      await recorder.resync((r) => r.reason === ResyncReasons.listenerReconnected);
      await postgres.notify(PG_DATABASE, "events", "isolated-after-resync");
      await recorder.notification((n) => n.payload === "isolated-after-resync");
      assert.equal(client.state, "connected");
      const messages = logged.map((args) => String(args[0]));
      assert.ok(messages.some((m) => m.includes("'notification' handler threw")), "the failing notification handler is logged");
      assert.ok(messages.some((m) => m.includes("'resync' handler threw")), "the failing resync handler is logged");
    } finally {
      console.error = consoleError;
    }
  });

  test("connects with WebSockets directly when negotiation is skipped", async () => {
    let builderSeen = false;
    const { client, recorder } = await connected({ skipNegotiation: true, configureConnection: () => { builderSeen = true; } });
    assert.ok(builderSeen, "configureConnection is given the builder");
    await client.subscribe(DATABASE, "events");
    await postgres.notify(PG_DATABASE, "events", "over-websockets");
    await recorder.notification((n) => n.payload === "over-websockets");
  });

  test("a lost listener connection arrives as a resync, and delivery resumes [listener-resync]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");

    assert.ok(await postgres.terminateListeners(PG_DATABASE) >= 1);
    const resync = await recorder.resync((r) => r.reason === LISTENER_RECONNECTED);
    assert.equal(resync.database, DATABASE);
    assert.ok(resync.since.getTime() <= resync.until.getTime());

    await postgres.notify(PG_DATABASE, "events", "after-listener-resync");
    await recorder.notification((n) => n.payload === "after-listener-resync");
    assert.equal(client.state, "connected");
  });

  test("start keeps trying until the hub answers, and an abort signal ends it [start-retries]", async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/hubs/notifications`;
    const client = newClient({ url: nowhere });
    await assert.rejects(client.start(AbortSignal.timeout(600)), (error) => error.name === "TimeoutError");
    assert.equal(client.state, "disconnected");
  });

  for (const [how, signal] of [["crashes", "SIGKILL"], ["shuts down and starts again", "SIGTERM"]]) {
    test(`after the hub ${how}, the client reconnects, resubscribes everything and raises client-reconnected [reconnect-resubscribe]`, async () => {
      let tokenRequests = 0;
      const { client, recorder } = await connected({ accessTokenFactory: () => `token-${++tokenRequests}` });
      await client.subscribe(DATABASE, "events");
      await client.subscribe(DATABASE, "other");
      const requestsBefore = tokenRequests;

      await hub.stop(signal);
      await eventually(() => client.state === "reconnecting", { what: "the client to notice the hub is gone" });
      // A client started while the hub is down keeps trying and connects once it is back.
      const late = newClient();
      const lateStarted = late.start();
      await hub.start();

      await eventually(() => client.state === "connected", { timeoutMs: 20_000, what: "the client to reconnect" });
      await lateStarted;
      assert.ok(recorder.disconnects >= 1 && recorder.reconnects >= 1);
      const resync = recorder.resyncs.findLast((r) => r.reason === CLIENT_RECONNECTED);
      assert.ok(resync, "client-reconnected resync raised");
      assert.equal(resync.database, DATABASE);
      assert.ok(resync.since.getTime() <= resync.until.getTime());
      assert.ok(tokenRequests > requestsBefore, "the access token factory is asked again on reconnect");
      assert.deepEqual(client.subscriptions.get(DATABASE), CHANNELS);

      // Both channels are subscribed again on the new hub process, which knew nothing of this client.
      await postgres.notify(PG_DATABASE, "events", `after-restart-events-${signal}`);
      await postgres.notify(PG_DATABASE, "other", `after-restart-other-${signal}`);
      await recorder.notification((n) => n.payload === `after-restart-other-${signal}`);
      assert.ok(recorder.notifications.some((n) => n.payload === `after-restart-events-${signal}`));
    });
  }

  test("a database the restarted hub no longer serves raises resubscribeFailed, and is retried on the next reconnect [resubscribe-failed]", async () => {
    const { client, recorder } = await connected();
    const failures = [];
    client.on("resubscribeFailed", (database, error) => failures.push({ database, error }));
    await client.subscribe(DATABASE, "events");
    await postgres.notify(PG_DATABASE, "events", "last-before-the-loss");
    const last = await recorder.notification((n) => n.payload === "last-before-the-loss");

    hub.configure({ renamed: { connectionString: postgres.connectionString(PG_DATABASE), channels: CHANNELS } });
    try {
      await hub.restart("SIGKILL");
      const [failure] = await eventually(() => failures.length > 0 && failures, { timeoutMs: 20_000, what: "resubscribeFailed" });
      assert.equal(failure.database, DATABASE);
      assert.ok(failure.error instanceof HubError);
      assert.equal(failure.error.message, `database '${DATABASE}' is not available`);
      assert.equal(recorder.resyncs.some((r) => r.reason === CLIENT_RECONNECTED), false, "no resync for what was not resubscribed");
      assert.deepEqual(client.subscriptions.get(DATABASE), ["events"], "still remembered for the next reconnect");
    } finally {
      hub.configure({ [DATABASE]: { connectionString: postgres.connectionString(PG_DATABASE), channels: CHANNELS } });
      await hub.restart("SIGKILL");
    }

    const resync = await recorder.resync((r) => r.reason === CLIENT_RECONNECTED, 20_000);
    // The reconnect that could not resubscribe delivered nothing: the window still starts before the first loss.
    assert.equal(resync.since.getTime(), last.receivedAt.getTime());
    await postgres.notify(PG_DATABASE, "events", "database-is-back");
    await recorder.notification((n) => n.payload === "database-is-back");
  });

  test("a client-reconnected window starts at the hub's receive time of the last notification, not when it arrived [resync-window]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");
    await postgres.notify(PG_DATABASE, "events", "last-before-restart");
    const last = await recorder.notification((n) => n.payload === "last-before-restart");

    await hub.restart("SIGKILL");
    const resync = await recorder.resync((r) => r.reason === CLIENT_RECONNECTED, 20_000);

    assert.equal(resync.database, DATABASE);
    assert.equal(resync.since.getTime(), last.receivedAt.getTime());
  });

  test("stop then start resubscribes what the client had and raises client-reconnected", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "other");
    await client.stop();
    assert.equal(client.state, "disconnected");

    await client.start();
    const resync = await recorder.resync((r) => r.reason === CLIENT_RECONNECTED);
    assert.equal(resync.database, DATABASE);
    await postgres.notify(PG_DATABASE, "other", "after-stop-start");
    await recorder.notification((n) => n.payload === "after-stop-start");
    assert.deepEqual(recorder.states, ["connecting", "connected", "disconnected", "connecting", "connected"]);
  });

  test("publish without the publish right is refused and the connection carries on [publish-refused]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");

    await assert.rejects(client.publish(DATABASE, "events", "x"), (error) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.message, `publishing to database '${DATABASE}' is not allowed`);
      return true;
    });

    await postgres.notify(PG_DATABASE, "events", "after-refused-publish");
    await recorder.notification((n) => n.payload === "after-refused-publish");
  });
});

describe("NotificationHubClient.publish", () => {
  let scenario;
  const clients = [];

  before(async () => {
    scenario = await startScenario({
      database: DATABASE,
      pgDatabase: "js_publish",
      channels: CHANNELS,
      settings: { Hub__Auth__AnonymousMayPublish: "true" },
    });
  });

  after(async () => {
    await Promise.allSettled(clients.map((client) => client.stop()));
    await scenario?.stop();
  });

  async function connected() {
    const client = new NotificationHubClient({ url: scenario.hub.hubUrl, logger: LogLevel.None });
    clients.push(client);
    const recorder = new Recorder(client);
    await client.start();
    return { client, recorder };
  }

  test("a published payload reaches subscribers through the listener [publish]", async () => {
    const { client: subscriber, recorder } = await connected();
    const { client: publisher } = await connected();
    await subscriber.subscribe(DATABASE, "events");

    await publisher.publish(DATABASE, "events", "published from js ☕");

    const received = await recorder.notification((n) => n.payload === "published from js ☕");
    assert.equal(received.channel, "events");
  });

  test("a refused publish rejects with the hub's message and the client carries on [publish-refused]", async () => {
    const { client, recorder } = await connected();
    await client.subscribe(DATABASE, "events");

    await assert.rejects(client.publish(DATABASE, "not_allowed", "x"), (error) => {
      assert.ok(error instanceof HubError);
      assert.equal(error.message, `channel name 'not_allowed' is not allowed for database '${DATABASE}'`);
      return true;
    });
    await assert.rejects(client.publish(DATABASE, "events", "x".repeat(8000)), HubError);

    await client.publish(DATABASE, "events", "still fine");
    await recorder.notification((n) => n.payload === "still fine");
  });
});

