// Connects to the hub with the JavaScript SignalR client, subscribes, and prints what it receives as JSON lines.
// Usage: node subscribe.mjs URL negotiate|skip-negotiation DATABASE CHANNEL COUNT
// Exits 0 once COUNT notifications arrived, non-zero on any error or after 60 s.
import * as signalR from "@microsoft/signalr";

const [url, mode, database, channel, countText] = process.argv.slice(2);
const count = Number(countText);
const print = (event) => console.log(JSON.stringify(event));

const connection = new signalR.HubConnectionBuilder()
  .withUrl(url, {
    transport: signalR.HttpTransportType.WebSockets,
    // Without negotiation the client opens the WebSocket directly: no connection token, so no affinity needed.
    skipNegotiation: mode === "skip-negotiation",
  })
  .configureLogging(signalR.LogLevel.Warning)
  .build();

let finish;
const finished = new Promise((resolve) => (finish = resolve));
const payloads = [];
connection.on("notification", (n) => {
  payloads.push(n.payload);
  print({ event: "notification", database: n.database, channel: n.channel, payload: n.payload });
  if (payloads.length >= count) finish();
});
connection.on("resync", (r) => print({ event: "resync", database: r.database, reason: r.reason }));
let stopping = false;
connection.onclose((error) => {
  if (stopping) return;
  console.error(`connection closed: ${error}`);
  process.exit(3);
});

const timer = setTimeout(() => {
  console.error(`timed out with ${payloads.length} of ${count} notifications`);
  process.exit(2);
}, 60_000);

try {
  await connection.start();
  const channels = await connection.invoke("Subscribe", database, channel);
  print({ event: "subscribed", channels, connectionId: connection.connectionId ?? null });
  await finished;
  clearTimeout(timer);
  print({ event: "done", payloads });
  stopping = true;
  await connection.stop();
  process.exit(0);
} catch (error) {
  console.error(`failed: ${error}`);
  process.exit(1);
}
