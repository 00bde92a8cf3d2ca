// The live page on an outbox database, in a real headless Chromium against the real hub and PostgreSQL: it shows each
// notification's stream position and, after a reload, resumes from the last one (kept in localStorage), showing
// "resumed from" and the notifications it missed, or the history-unavailable resync when the hub cannot resume.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "./support/browser.mjs";
import { literal } from "./support/postgres.mjs";
import { startScenario } from "./support/scenario.mjs";

const DATABASE = "durable";
const PG_DATABASE = "live_page_stream";
const STORED_KEY = `notify-hub-stream:${DATABASE}\u0000orders`;

describe("live page on an outbox database", () => {
  let scenario;
  let browser;
  let page;
  const pageErrors = [];

  const publish = async (...payloads) => {
    for (const payload of payloads) {
      await scenario.postgres.sql(PG_DATABASE, `SELECT notify_hub.publish('orders', ${literal(payload)})`);
    }
  };
  const shown = () => page.$$eval("#notifications .item", (items) => items.map((item) => ({
    payload: item.querySelector(".payload").textContent,
    position: item.querySelector(".position")?.textContent ?? null,
  })).reverse());
  const stored = () => page.evaluate((key) => localStorage.getItem(key), STORED_KEY);

  before(async () => {
    scenario = await startScenario({
      database: DATABASE,
      pgDatabase: PG_DATABASE,
      channels: ["orders", "hub_events"],
      settings: {
        [`Hub__Databases__${DATABASE}__Outbox__Enabled`]: "true",
        [`Hub__Databases__${DATABASE}__Outbox__PollInterval`]: "00:00:00.200",
      },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
  });

  after(async () => {
    await browser?.close();
    await scenario?.stop();
  });

  test("shows each notification's position and stores the last one", async () => {
    await page.goto(`${scenario.hub.baseUrl}/?database=${DATABASE}&channel=orders`);
    await page.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="orders"]`);
    await publish("first", "second", "third");
    await page.waitForFunction(() => document.querySelectorAll("#notifications .item").length === 3);

    const items = await shown();
    assert.deepEqual(items.map((i) => i.payload), ["first", "second", "third"]);
    for (const item of items) {
      assert.match(item.position, /^1[0-9a-f]{56}$/, "a position in the hub's documented text form");
    }
    assert.ok(items[0].position < items[1].position && items[1].position < items[2].position, "positions grow in stream order");
    await page.waitForFunction(([key, last]) => localStorage.getItem(key) === last, [STORED_KEY, items[2].position]);
    assert.equal(await page.$(".banner"), null, "no resync on a fresh subscription");
  });

  test("after a reload it resumes from the stored position, shows 'resumed from' and exactly what it missed [stream-resume]", async () => {
    const last = await stored();
    await page.goto("about:blank");
    await publish("missed-1", "missed-2"); // while the page is closed

    await page.goto(scenario.hub.baseUrl); // no query: the page subscribes again from what it stored
    await page.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="orders"]`);
    await page.waitForSelector('.banner[data-kind="resumed"]');
    assert.equal(await page.textContent('.banner[data-kind="resumed"] .position'), last);
    await page.waitForFunction(() => document.querySelectorAll("#notifications .item").length >= 2);
    await publish("live-after-reload");
    await page.waitForFunction(() => [...document.querySelectorAll("#notifications .payload")].some((p) => p.textContent === "live-after-reload"));

    assert.deepEqual((await shown()).map((i) => i.payload), ["missed-1", "missed-2", "live-after-reload"]);
    assert.equal(await page.$('.banner[data-kind="resync"]'), null, "a recovered resume is no resync");
    const items = await shown();
    await page.waitForFunction(([key, newest]) => localStorage.getItem(key) === newest, [STORED_KEY, items.at(-1).position]);
  });

  test("a stored position the hub cannot resume from shows the history-unavailable resync and goes on live [stream-history-unavailable]", async () => {
    await page.goto("about:blank");
    await scenario.postgres.sql(PG_DATABASE, "TRUNCATE notify_hub.outbox"); // a new epoch: the stored position is from the old one

    await page.goto(scenario.hub.baseUrl);
    await page.waitForSelector('.banner[data-kind="resync"][data-reason="history-unavailable"]');
    assert.equal(await page.$('.banner[data-kind="resumed"]'), null);
    await publish("after-truncate");
    await page.waitForFunction(() => [...document.querySelectorAll("#notifications .payload")].some((p) => p.textContent === "after-truncate"));
    const [item] = await shown();
    await page.waitForFunction(([key, newest]) => localStorage.getItem(key) === newest, [STORED_KEY, item.position]);
  });

  test("unsubscribing forgets the stored position", async () => {
    await page.click(`.chip[data-database="${DATABASE}"][data-channel="orders"] .remove`);
    await page.waitForFunction(() => !document.querySelector(".chip"));
    assert.equal(await stored(), null);
    assert.deepEqual(pageErrors, []);
  });
});
