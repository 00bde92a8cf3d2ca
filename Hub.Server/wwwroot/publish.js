// The live page's publish box: shown for the databases the caller may publish to, it sends through POST api/publish
// and shows the hub's answer.
export class PublishBox {
  constructor({ form, channel, payload, button, status, headers }) {
    this.view = { form, channel, payload, button, status };
    this.headers = headers;
    this.allowed = new Set();
  }

  // Sends what the form holds to `database()` (the database selected when it is submitted).
  bind(database) {
    this.view.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.publish(database(), this.view.channel.value.trim(), this.view.payload.value);
    });
    return this;
  }

  // Shows the box only for a database in `allowed` (GET api/databases says which).
  show(database, allowed = this.allowed) {
    this.allowed = allowed;
    this.view.form.hidden = !allowed.has(database);
  }

  async publish(database, channel, payload) {
    this.view.button.disabled = true;
    try {
      const response = await fetch(new URL("api/publish", document.baseURI), {
        method: "POST",
        headers: { "Content-Type": "application/json", ...this.headers() },
        body: JSON.stringify({ database, channel, payload }),
      });
      if (response.ok) {
        this.showStatus(`Published to ${database} · ${channel}.`, "ok");
      } else {
        const body = await response.json().catch(() => null);
        this.showStatus(body?.error ?? `${response.status} ${response.statusText}`, "error");
      }
    } catch (error) {
      this.showStatus(error.message, "error");
    } finally {
      this.view.button.disabled = false;
    }
  }

  showStatus(message, outcome) {
    this.view.status.textContent = message;
    this.view.status.dataset.outcome = outcome;
    this.view.status.hidden = false;
  }
}
