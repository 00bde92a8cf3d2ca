// The live page's banners: a resync window to reload for, or a stream resumed from its stored position. The newest
// comes first, and only the last few are kept.
import { element, formatTime } from "./feed.js";

const MAX_BANNERS = 4;

export class Banners {
  constructor(container) {
    this.container = container;
  }

  resumed(database, channel, position) {
    const text = element("p");
    text.append(element("strong", "", "Resumed "), `· ${database} · ${channel} from `, element("code", "position", position));
    this.add(text, { database, kind: "resumed" });
  }

  resync(resync) {
    const text = element("p");
    // A history-unavailable window opens at the start of time: the hub cannot say since when.
    const since = resync.since.getTime() <= 0 ? "the start" : formatTime(resync.since);
    text.append(
      element("strong", "", "Resync "),
      `· ${resync.database}: notifications between ${since} and ${formatTime(resync.until)} may have been missed `,
      element("span", "muted", `(${resync.reason})`),
      ". Reload any state derived from them.",
    );
    this.add(text, { database: resync.database, reason: resync.reason, kind: "resync" });
  }

  add(text, data) {
    const banner = element("div", "banner");
    Object.assign(banner.dataset, data);
    const dismiss = element("button", "secondary", "Dismiss");
    dismiss.type = "button";
    dismiss.addEventListener("click", () => banner.remove());
    banner.append(text, dismiss);
    this.container.prepend(banner);
    while (this.container.childElementCount > MAX_BANNERS) {
      this.container.lastElementChild.remove();
    }
  }
}
