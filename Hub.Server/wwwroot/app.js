// The live page: wires the JavaScript client to the feed, the chart, the banners, the publish box and the stats panel.
import { Banners } from "./banners.js";
import { NotificationFeed, element } from "./feed.js";
import { RateChart } from "./chart.js";
import { PublishBox } from "./publish.js";
import { StatsPanel } from "./stats.js";
import { StoredStreams } from "./streams.js";

const $ = (id) => document.getElementById(id);
const ui = {
  state: $("state"),
  reconnects: $("reconnects"),
  banners: $("banners"),
  form: $("subscribe-form"),
  database: $("database"),
  channel: $("channel"),
  knownChannels: $("known-channels"),
  subscribe: $("subscribe"),
  error: $("error"),
  subscriptions: $("subscriptions"),
  pause: $("pause"),
  clear: $("clear"),
};

let lib;
try {
  lib = await import("./lib/notify-hub-client.js");
} catch (error) {
  showError(`The client script did not load (${error.message}). Build the hub with npm available to bundle it.`);
  throw error;
}

const params = new URLSearchParams(location.search);
const feed = new NotificationFeed({ list: $("notifications"), empty: $("empty"), counter: $("received") });
$("shown-limit").textContent = String(feed.limit);
const chart = new RateChart({ canvas: $("chart"), rate: $("rate") }).start();
let knownDatabases = {};
// Outbox databases are subscribed with SubscribeFrom and resume across reloads; the others with Subscribe.
const streams = new StoredStreams();
const plainDatabases = new Set();
const banners = new Banners(ui.banners);

// A hub that requires tokens: open the page as /#token=<JWT>. The fragment never reaches the server or its logs;
// the token is kept for this tab only and sent as the hub's access token and to /api/stats.
const fragment = new URLSearchParams(location.hash.slice(1));
if (fragment.has("token")) {
  sessionStorage.setItem("notify-hub-token", fragment.get("token"));
  history.replaceState(null, "", location.pathname + location.search);
}
const token = sessionStorage.getItem("notify-hub-token");
const publishBox = new PublishBox({
  form: $("publish-form"),
  channel: $("publish-channel"),
  payload: $("publish-payload"),
  button: $("publish"),
  status: $("publish-status"),
  headers: authorization,
}).bind(() => ui.database.value);
const client = new lib.NotificationHubClient({
  url: new URL("hubs/notifications", document.baseURI).href,
  protocol: params.get("protocol") === "messagepack" ? "messagepack" : "json",
  ...(token ? { accessTokenFactory: () => token } : {}),
});
let reconnects = 0;
client.on("notification", (notification) => {
  feed.add(notification);
  streams.advance(notification);
  chart.count();
});
client.on("resync", (resync) => banners.resync(resync));
client.on("stateChanged", showState);
client.on("reconnected", () => {
  ui.reconnects.textContent = String(++reconnects);
  renderSubscriptions();
});
client.on("resubscribeFailed", (database, error) => showError(`Could not resubscribe to '${database}': ${error.message}`));

const stats = new StatsPanel({
  url: new URL("api/stats", document.baseURI).href,
  token,
  view: {
    instance: $("instance"),
    connections: $("stat-connections"),
    listeners: $("stat-listeners"),
    memory: $("stat-memory"),
    started: $("stat-started"),
    databases: $("stat-databases"),
    error: $("stats-error"),
  },
}).start();

ui.form.addEventListener("submit", (event) => {
  event.preventDefault();
  subscribe(ui.database.value, ui.channel.value.trim() || null);
});
ui.database.addEventListener("change", () => {
  renderKnownChannels();
  publishBox.show(ui.database.value);
});
ui.pause.addEventListener("click", () => {
  feed.paused = !feed.paused;
  ui.pause.textContent = feed.paused ? "Resume" : "Pause";
  ui.pause.setAttribute("aria-pressed", String(feed.paused));
});
ui.clear.addEventListener("click", () => feed.clear());

showState(client.state);
loadDatabases();
await client.start();
for (const stored of streams.all) {
  await subscribe(stored.database, stored.channel);
}
if (params.has("database") && !streams.all.some((s) => s.database === params.get("database"))) {
  await subscribe(params.get("database"), params.get("channel") || null);
}

async function subscribe(database, channel) {
  if (!database) {
    showError("Pick a database first.");
    return;
  }

  try {
    await subscribeToStreamOrPlain(database, channel);
    ui.error.hidden = true;
    ui.channel.value = "";
  } catch (error) {
    showError(error.message);
  }

  renderSubscriptions();
}

// GET api/databases says which configured databases keep a durable stream; a database it does not list (a tenant's)
// is taken for an outbox until the hub answers that it has no durable stream.
async function subscribeToStreamOrPlain(database, channel) {
  const outbox = knownDatabases[database]?.outbox;
  if (outbox !== false && !plainDatabases.has(database)) {
    const since = channel === null ? null : streams.positionOf(database, channel);
    try {
      const subscription = await client.subscribeFrom(database, channel, since);
      for (const subscribed of channel === null ? subscription.channels : [channel]) {
        streams.remember(database, subscribed, client.positionOf(database, subscribed) ?? subscription.position);
      }

      if (since !== null && subscription.recovered) {
        banners.resumed(database, channel, since);
      }

      return;
    } catch (error) {
      if (outbox === true || !/has no durable stream/.test(error.message)) {
        throw error;
      }

      plainDatabases.add(database);
    }
  }

  await client.subscribe(database, channel);
}

async function unsubscribe(database, channel) {
  try {
    await client.unsubscribe(database, channel);
    streams.forget(database, channel);
    ui.error.hidden = true;
  } catch (error) {
    showError(error.message);
  }

  renderSubscriptions();
}

function authorization() {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

// The databases this caller may use, from the hub itself: /api/stats may need management access the caller lacks.
async function loadDatabases() {
  try {
    const response = await fetch(new URL("api/databases", document.baseURI), { cache: "no-store", headers: authorization() });
    if (!response.ok) {
      throw new Error(`${response.status} ${response.statusText}`);
    }

    const { databases } = await response.json();
    showDatabases(Object.fromEntries(databases.map((d) => [d.name, d])), new Set(databases.filter((d) => d.publish).map((d) => d.name)));
  } catch (error) {
    showError(`Could not list the databases: ${error.message}`);
  }
}

function renderSubscriptions() {
  const chips = [];
  for (const [database, channels] of client.subscriptions) {
    for (const channel of channels) {
      const chip = element("li", "chip");
      chip.dataset.database = database;
      chip.dataset.channel = channel;
      const remove = element("button", "remove", "×");
      remove.type = "button";
      remove.title = `Unsubscribe from ${database} · ${channel}`;
      remove.addEventListener("click", () => unsubscribe(database, channel));
      chip.append(element("span", "", `${database} · ${channel}`), remove);
      chips.push(chip);
    }
  }

  ui.subscriptions.replaceChildren(...chips);
  renderKnownChannels();
  // Subscriptions change the hub's figures (subscribers, listeners): show them now rather than at the next poll.
  stats.refresh();
}

// `publishable`: the databases this caller may publish to; the publish box shows for those only.
function showDatabases(databases, publishable) {
  knownDatabases = databases;
  const selected = ui.database.value || params.get("database");
  const names = Object.keys(databases);
  ui.database.replaceChildren(...names.map((name) => {
    const option = element("option", "", name);
    option.value = name;
    return option;
  }));
  if (names.includes(selected)) {
    ui.database.value = selected;
  }

  if (names.length === 0) {
    showError("No databases are configured on this hub (Hub:Databases).");
  }

  renderKnownChannels();
  publishBox.show(ui.database.value, publishable);
}

function renderKnownChannels() {
  const database = ui.database.value;
  const channels = new Set([...(knownDatabases[database]?.channels ?? []), ...(client.subscriptions.get(database) ?? [])]);
  ui.knownChannels.replaceChildren(...[...channels].sort().map((channel) => {
    const option = element("option");
    option.value = channel;
    return option;
  }));
}

function showState(state) {
  ui.state.textContent = state;
  ui.state.dataset.state = state;
  ui.subscribe.disabled = state !== "connected";
  if (state === "connected" && Object.keys(knownDatabases).length === 0) {
    loadDatabases();
  }
}

function showError(message) {
  ui.error.textContent = message;
  ui.error.hidden = false;
}
