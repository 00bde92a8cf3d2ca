// Load for the dashboard picture: SignalR clients that connect, subscribe, unsubscribe and leave over
// time against every hub given, plus a refused call now and then. NOTIFYs come from render.sh (psql).
// Usage: node load.mjs <seconds> <hubUrl>... (env DATABASES="app:hub_events,orders;billing:invoices")
import * as signalR from "@microsoft/signalr";

const [seconds, ...hubs] = process.argv.slice(2);
const databases = (process.env.DATABASES ?? "app:hub_events").split(";").map((entry) => {
  const [name, channels] = entry.split(":");
  return { name, channels: channels.split(",") };
});
const deadline = Date.now() + Number(seconds) * 1000;
const clients = [];
let received = 0;
let refused = 0;

const pick = (items) => items[Math.floor(Math.random() * items.length)];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function connect(url) {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(url, { skipNegotiation: true, transport: signalR.HttpTransportType.WebSockets })
    .configureLogging(signalR.LogLevel.None)
    .build();
  connection.on("notification", () => received++);
  connection.on("resync", () => {});
  await connection.start();
  const database = pick(databases);
  await connection.invoke("Subscribe", database.name, Math.random() < 0.5 ? null : pick(database.channels));
  clients.push(connection);
}

// The number of clients per hub follows a slow wave, so the connection panels move.
let tick = 0;
while (Date.now() < deadline) {
  const elapsed = tick++ / 2;
  const wanted = Math.round(hubs.length * (12 + 10 * Math.sin(elapsed / 25)));
  while (clients.length < wanted) {
    await connect(pick(hubs));
  }
  while (clients.length > wanted) {
    const connection = clients.splice(Math.floor(Math.random() * clients.length), 1)[0];
    if (Math.random() < 0.5) {
      await connection.invoke("Unsubscribe", pick(databases).name, null);
    }
    await connection.stop();
  }
  if (tick % 20 === 0) {
    try {
      await pick(clients).invoke("Subscribe", "no_such_database", null);
    } catch {
      refused++;
    }
  }
  await sleep(500);
}

await Promise.all(clients.map((connection) => connection.stop()));
console.log(`load: ${received} notifications received, ${refused} calls refused`);
