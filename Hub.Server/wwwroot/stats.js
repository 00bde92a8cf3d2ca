// The /api/stats figures, refreshed periodically.
import { element, formatTime } from "./feed.js";

export class StatsPanel {
  #url;
  #token;
  #view;
  #onDatabases;
  #databases = "";

  constructor({ url, token, view, onDatabases }) {
    this.#url = url;
    this.#token = token;
    this.#view = view;
    this.#onDatabases = onDatabases;
  }

  start(intervalMs = 2000) {
    const refresh = async () => {
      await this.refresh();
      setTimeout(refresh, intervalMs);
    };
    refresh();
    return this;
  }

  async refresh() {
    const view = this.#view;
    try {
      const headers = this.#token ? { Authorization: `Bearer ${this.#token}` } : {};
      const response = await fetch(this.#url, { cache: "no-store", headers });
      if (!response.ok) {
        throw new Error(`${response.status} ${response.statusText}`);
      }

      const stats = await response.json();
      this.#render(stats);
      view.error.hidden = true;
    } catch (error) {
      view.error.textContent = `Stats unavailable: ${error.message}`;
      view.error.hidden = false;
    }
  }

  #render(stats) {
    const view = this.#view;
    const databases = Object.entries(stats.databases ?? {});
    view.instance.textContent = stats.instanceId ?? "";
    view.connections.textContent = String(stats.connections);
    view.listeners.textContent = `${databases.filter(([, d]) => d.listening).length} / ${databases.length}`;
    view.memory.textContent = formatBytes(stats.memory?.workingSetBytes);
    view.started.textContent = stats.startedAt ? formatTime(new Date(stats.startedAt)) : "–";

    view.databases.replaceChildren(...databases.map(([name, d]) => {
      const row = element("tr");
      const state = element("td", "", d.state);
      state.dataset.state = d.state;
      row.append(
        element("td", "", name),
        state,
        element("td", "num", String(d.subscribers)),
        element("td", "num", Number(d.notificationsReceived).toLocaleString()),
        element("td", "num", String(d.reconnects)),
      );
      if (d.lastError) {
        row.title = d.lastError;
      }

      return row;
    }));

    const names = databases.map(([name]) => name).join("\n");
    if (names !== this.#databases) {
      this.#databases = names;
      this.#onDatabases?.(Object.fromEntries(databases));
    }
  }
}

function formatBytes(bytes) {
  if (typeof bytes !== "number") {
    return "–";
  }

  return `${(bytes / (1024 * 1024)).toFixed(0)} MiB`;
}
