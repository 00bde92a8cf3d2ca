// The pattern the README promises, in a browser: subscribe, then load the state, then apply notifications; a resync
// loads the state again. The client is the repository's browser bundle (no CDN): build it with
// `npm ci && npm run build` in clients/js and serve the repository root, e.g. `python3 -m http.server -b 127.0.0.1 8000`,
// then open http://127.0.0.1:8000/samples/browser/. Query parameters: hub (the hub's URL), database, and state
// (where your application serves the current rows as JSON; orders.json, a snapshot, by default).
import { NotificationHubClient } from "../../clients/js/dist/browser/notify-hub-client.js";

const params = new URLSearchParams(location.search);
const hub = params.get("hub") ?? "http://127.0.0.1:5080";
const database = params.get("database") ?? "app";
const stateUrl = new URL(params.get("state") ?? "orders.json", location.href);
const orders = new Map();

const client = new NotificationHubClient({ url: new URL("/hubs/notifications", hub).href });
let loading = Promise.resolve();
client.on("notification", (n) => loading.then(() => apply(JSON.parse(n.payload))));
client.on("resync", (r) => {
  log(`resync (${r.reason}): reloading`);
  loading = loading.then(load);
});

await client.start();
// 1. Subscribe: when this resolves the LISTEN is active, so every later change will be notified.
await client.subscribe(database, "orders");
// 2. Load: notifications that arrive meanwhile wait for it (see `loading`) and are applied after.
loading = load();
await loading;
status(`live: ${database} · orders`);

async function load() {
  const response = await fetch(stateUrl, { cache: "no-store" });
  const rows = await response.json();
  orders.clear();
  for (const row of rows) {
    orders.set(row.id, row);
  }
  render();
  log(`loaded ${orders.size} orders`);
}

// 3. Apply: a change the load already saw has a version that is not newer, and is skipped.
function apply(order) {
  const known = orders.get(order.id);
  if (known && known.version >= order.version) {
    return;
  }
  orders.set(order.id, order);
  render();
  log(`order ${order.id}: ${order.status} (version ${order.version})`);
}

function render() {
  const rows = [...orders.values()].sort((a, b) => a.id - b.id).map((order) => {
    const tr = document.createElement("tr");
    for (const value of [order.id, order.status, order.version]) {
      const td = document.createElement("td");
      td.textContent = String(value);
      tr.append(td);
    }
    return tr;
  });
  document.getElementById("orders").replaceChildren(...rows);
}

function status(text) {
  document.getElementById("status").textContent = text;
}

function log(text) {
  const li = document.createElement("li");
  li.textContent = text;
  document.getElementById("log").prepend(li);
}
