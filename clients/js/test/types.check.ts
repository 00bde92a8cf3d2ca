// Compiled (not run) by `npm test`: the shipped declarations give TypeScript users these types, and reject misuse.
import {
  CLIENT_RECONNECTED,
  HubError,
  NotificationHubClient,
  type ConnectionState,
  type HubNotification,
  type HubResync,
} from "../dist/index.js";

const client = new NotificationHubClient({ url: "http://127.0.0.1:5080/hubs/notifications", protocol: "messagepack" });

const off = client.on("notification", (n: HubNotification) => {
  const when: Date = n.receivedAt;
  const pid: number = n.processId;
  console.log(n.database, n.channel, n.payload, when.toISOString(), pid);
});
off();

client.on("resync", (r: HubResync) => {
  const window: [Date, Date] = [r.since, r.until];
  if (r.reason === CLIENT_RECONNECTED) {
    console.log(r.database, window);
  }
});
client.on("stateChanged", (state: ConnectionState) => console.log(state));
client.on("resubscribeFailed", (database: string, error: unknown) => console.log(database, error));

export async function usage(): Promise<void> {
  await client.start(AbortSignal.timeout(5_000));
  const channels: string[] = await client.subscribe("app", "hub_events");
  const all: string[] = await client.subscribe("app");
  await client.unsubscribe("app", null);
  try {
    await client.subscribe("nope");
  } catch (error) {
    if (error instanceof HubError) {
      const reason: string = error.message;
      const method: string = error.method;
      console.log(reason, method);
    }
  }

  const subscribed: ReadonlyMap<string, readonly string[]> = client.subscriptions;
  console.log(channels, all, subscribed);
  await client.stop();
}

// @ts-expect-error: there is no such event.
client.on("message", () => undefined);
// @ts-expect-error: notification handlers receive a HubNotification, whose payload is text.
client.on("notification", (n: { payload: number }) => n);
// @ts-expect-error: only JSON and MessagePack exist.
new NotificationHubClient({ url: "x", protocol: "xml" });
// @ts-expect-error: the url is required.
new NotificationHubClient({});
