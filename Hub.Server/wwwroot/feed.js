// The notification list. Notifications can arrive far faster than a page can lay out (a thousand a second),
// so they are queued and drawn once per animation frame, and only the newest `limit` are kept: the DOM stays
// small and the page stays responsive however fast they come.

const timeFormat = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit", minute: "2-digit", second: "2-digit", fractionalSecondDigits: 3, hour12: false,
});

export function formatTime(date) {
  return timeFormat.format(date);
}

/** The payload as shown: pretty-printed when it is JSON, unchanged otherwise. */
export function formatPayload(payload) {
  const start = payload.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      return { text: JSON.stringify(JSON.parse(payload), null, 2), json: true };
    } catch {
      // Not JSON after all: show it as sent.
    }
  }

  return { text: payload, json: false };
}

export class NotificationFeed {
  #list;
  #empty;
  #counter;
  #limit;
  #pending = [];
  #received = 0;
  #frame = 0;
  #paused = false;

  constructor({ list, empty, counter, limit = 200 }) {
    this.#list = list;
    this.#empty = empty;
    this.#counter = counter;
    this.#limit = limit;
  }

  get limit() {
    return this.#limit;
  }

  get paused() {
    return this.#paused;
  }

  set paused(value) {
    this.#paused = value;
    if (!value) {
      this.#schedule();
    }
  }

  add(notification) {
    this.#received++;
    this.#pending.push(notification);
    // Bounded while paused or while the tab is hidden (no animation frames then): older ones would never be shown.
    if (this.#pending.length > this.#limit * 2) {
      this.#pending.splice(0, this.#pending.length - this.#limit);
    }

    this.#schedule();
  }

  clear() {
    this.#pending = [];
    this.#received = 0;
    this.#list.replaceChildren();
    this.#render();
  }

  #schedule() {
    if (!this.#frame) {
      this.#frame = requestAnimationFrame(() => this.#render());
    }
  }

  #render() {
    this.#frame = 0;
    this.#counter.textContent = this.#received.toLocaleString();
    if (!this.#paused && this.#pending.length > 0) {
      const batch = this.#pending.slice(-this.#limit);
      this.#pending = [];
      const fragment = document.createDocumentFragment();
      for (let i = batch.length - 1; i >= 0; i--) {
        fragment.append(renderItem(batch[i]));
      }

      this.#list.prepend(fragment);
      while (this.#list.childElementCount > this.#limit) {
        this.#list.lastElementChild.remove();
      }
    }

    this.#empty.hidden = this.#list.childElementCount > 0;
  }
}

function renderItem(notification) {
  // textContent only: a payload is whatever some application sent, never markup to interpret.
  const item = element("li", "item");
  const meta = element("div", "meta");
  const time = element("time", "", formatTime(notification.receivedAt));
  time.dateTime = notification.receivedAt.toISOString();
  meta.append(
    time,
    element("span", "tag", notification.database),
    element("span", "tag channel", notification.channel),
    element("span", "muted", `pid ${notification.processId}`),
  );
  if (notification.position) {
    // An outbox database's stream position: opaque, long, and what a reload resumes from.
    const position = element("code", "position", notification.position);
    position.title = "stream position";
    meta.append(position);
  }

  const payload = formatPayload(notification.payload);
  const body = element("pre", payload.json ? "payload json" : "payload", payload.text);
  item.append(meta, body);
  return item;
}

export function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }

  if (text !== undefined) {
    node.textContent = text;
  }

  return node;
}
