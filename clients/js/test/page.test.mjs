// The live page served by the hub, in a real headless Chromium, against a real PostgreSQL.
import assert from "node:assert/strict";
import { createHmac, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "./support/browser.mjs";
import { startScenario } from "./support/scenario.mjs";

const DATABASE = "app";
const PG_DATABASE = "live_page";
const LIST_LIMIT = 200;

describe("live page", () => {
  let scenario;
  let browser;
  let page;
  let screenshotDirectory;
  const pageErrors = [];

  const notify = (channel, payload) => scenario.postgres.notify(PG_DATABASE, channel, payload);
  const received = async () => Number((await page.textContent("#received")).replace(/\D/g, ""));

  before(async () => {
    scenario = await startScenario({ database: DATABASE, pgDatabase: PG_DATABASE, channels: ["orders", "hub_events"] });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => message.type() === "error" && pageErrors.push(message.text()));
    screenshotDirectory = await mkdtemp(join(tmpdir(), "hub-js-tests-page-"));
    await page.goto(scenario.hub.baseUrl);
  });

  after(async () => {
    await browser?.close();
    await scenario?.stop();
    if (screenshotDirectory) {
      await rm(screenshotDirectory, { recursive: true, force: true });
    }
  });

  test("connects and lists the hub's databases", async () => {
    await page.waitForSelector('#state[data-state="connected"]');
    await page.waitForSelector(`#database option[value="${DATABASE}"]`, { state: "attached" });
    assert.equal(await page.inputValue("#database"), DATABASE);
  });

  test("before the first subscription the notifications panel sits one grid gap under the controls", async () => {
    const { gap, rowGap } = await page.evaluate(() => ({
      gap: document.querySelector(".feed").getBoundingClientRect().top - document.querySelector(".controls").getBoundingClientRect().bottom,
      rowGap: parseFloat(getComputedStyle(document.querySelector(".layout")).rowGap),
    }));
    assert.ok(Math.abs(gap - rowGap) < 1, `the panels are ${gap} px apart, the grid gap is ${rowGap} px`);
  });

  test("hides the publish box from callers who may not publish (anonymous, here)", async () => {
    await page.waitForFunction(() => document.querySelector("#database").value !== "");
    assert.equal(await page.isHidden("#publish-form"), true);
  });

  test("a refused subscription shows the server's message and the page carries on", async () => {
    await page.fill("#channel", "not_configured");
    await page.click("#subscribe");
    await page.waitForSelector("#error:not([hidden])");
    assert.equal(await page.textContent("#error"), `channel name 'not_configured' is not allowed for database '${DATABASE}'`);
    assert.equal(await page.getAttribute("#state", "data-state"), "connected");
  });

  test("shows notifications live, newest first, JSON pretty-printed and anything else as plain text", async () => {
    await page.fill("#channel", "orders");
    await page.click("#subscribe");
    await page.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="orders"]`);
    assert.equal(await page.isHidden("#error"), true, "a successful subscribe clears the error");

    const order = { order: 1001, status: "paid", items: [{ sku: "A-1", qty: 2 }] };
    await notify("orders", JSON.stringify(order));
    const hostile = "<img src=x onerror=\"window.__injected = true\"> not markup";
    await notify("orders", hostile);

    await page.waitForFunction(() => document.querySelectorAll("#notifications > li").length === 2);
    const payloads = await page.$$eval("#notifications .payload", (nodes) => nodes.map((n) => n.textContent));
    assert.deepEqual(payloads, [hostile, JSON.stringify(order, null, 2)]);
    assert.equal(await page.evaluate(() => window.__injected), undefined);
    assert.equal(await page.$$eval("#notifications img", (nodes) => nodes.length), 0);
    assert.deepEqual(await page.$$eval("#notifications > li:first-child .tag", (nodes) => nodes.map((n) => n.textContent)), [DATABASE, "orders"]);
  });

  test("a killed listener connection shows the resync banner", async () => {
    assert.ok(await scenario.postgres.terminateListeners(PG_DATABASE) >= 1);
    const banner = await page.waitForSelector(`.banner[data-reason="listener-reconnected"][data-database="${DATABASE}"]`);
    assert.match(await banner.textContent(), /may have been missed/);

    await notify("orders", "after the listener came back");
    await page.waitForFunction(() => document.querySelector("#notifications .payload")?.textContent === "after the listener came back");
  });

  test("shows the /api/stats figures", async () => {
    await page.waitForFunction((database) => {
      const row = [...document.querySelectorAll("#stat-databases tr")].find((r) => r.cells[0].textContent === database);
      return row && row.cells[1].textContent === "listening" && Number(row.cells[4].textContent) >= 1;
    }, DATABASE, { timeout: 10_000 });
    assert.ok(Number(await page.textContent("#stat-connections")) >= 1);
    assert.equal(await page.textContent("#stat-listeners"), "1 / 1");
  });

  test("keeps up with 1,000 notifications a second, rendering in batches into a bounded list", async () => {
    const before = await received();
    const seconds = 3;
    // Three commits a second apart, a thousand notifications each: PostgreSQL delivers each batch at its commit.
    await scenario.postgres.sql(PG_DATABASE, `DO $$
      BEGIN
        FOR s IN 1..${seconds} LOOP
          PERFORM pg_notify('orders', json_build_object('order', s * 10000 + i, 'status', 'paid', 'total', round((i * 7.31)::numeric, 2))::text)
            FROM generate_series(1, 1000) AS i;
          COMMIT;
          PERFORM pg_sleep(CASE WHEN s < ${seconds} THEN 1 ELSE 0 END);
        END LOOP;
      END $$`);

    await page.waitForFunction((expected) => Number(document.querySelector("#received").textContent.replace(/\D/g, "")) === expected,
      before + seconds * 1000, { timeout: 20_000 });
    assert.equal(await page.$$eval("#notifications > li", (nodes) => nodes.length), LIST_LIMIT);
    const newest = JSON.parse(await page.textContent("#notifications > li:first-child .payload"));
    assert.equal(newest.order, seconds * 10000 + 1000);
    // The chart counted every one of them within its last minute.
    await page.waitForFunction((expected) => Number(document.querySelector("#chart").dataset.total) >= expected,
      seconds * 1000, { timeout: 5_000 });
  });

  test("after the hub restarts, the page reconnects, shows it and receives again", async () => {
    await scenario.hub.restart("SIGKILL");
    await page.waitForFunction(() => document.querySelector("#reconnects").textContent === "1", null, { timeout: 20_000 });
    await page.waitForSelector('#state[data-state="connected"]');
    await page.waitForSelector('.banner[data-reason="client-reconnected"]');

    const final = { order: 42, status: "shipped", carrier: "DHL", items: [{ sku: "A-1", qty: 2 }, { sku: "B-7", qty: 1 }] };
    await notify("orders", JSON.stringify(final));
    await page.waitForFunction((text) => document.querySelector("#notifications .payload")?.textContent === text,
      JSON.stringify(final, null, 2));
  });

  test("subscribes from the URL on load, here over MessagePack", async () => {
    const second = await browser.newPage();
    try {
      await second.goto(`${scenario.hub.baseUrl}/?database=${DATABASE}&channel=hub_events&protocol=messagepack`);
      await second.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="hub_events"]`);
      await notify("hub_events", "{\"via\":\"messagepack\"}");
      await second.waitForFunction(() => document.querySelector("#notifications .payload")?.textContent === '{\n  "via": "messagepack"\n}');
      assert.equal(await second.textContent("#notifications .tag.channel"), "hub_events");
    } finally {
      await second.close();
    }
  });

  test("takes a screenshot of the page", async () => {
    await page.waitForFunction((database) => {
      const row = [...document.querySelectorAll("#stat-databases tr")].find((r) => r.cells[0].textContent === database);
      return row && row.cells[1].textContent === "listening" && row.cells[2].textContent === "1" && row.cells[3].textContent !== "0";
    }, DATABASE, { timeout: 10_000 });
    const path = process.env.HUB_PAGE_SCREENSHOT ? resolve(process.env.HUB_PAGE_SCREENSHOT) : join(screenshotDirectory, "live-page.png");
    await page.screenshot({ path });
    const png = await readFile(path);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(pageErrors.filter((e) => !e.includes("WebSocket") && !e.includes("Failed to")), []);
  });
});

describe("live page with a hub that requires tokens", () => {
  const signingKey = randomBytes(32);
  const issuer = "live-page-tests";
  const audience = "notify-hub";
  let scenario;
  let browser;

  /** An HS256 JWT signed with the hub's key, granting `databases` (and publishing to `publish`). */
  function token(databases, publish = []) {
    const encode = (value) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    const body = `${encode({ alg: "HS256", typ: "JWT" })}.${encode({
      sub: "page-user", iss: issuer, aud: audience, iat: now, nbf: now, exp: now + 600, "hub:db": databases, "hub:publish": publish,
    })}`;
    return `${body}.${createHmac("sha256", signingKey).update(body).digest("base64url")}`;
  }

  before(async () => {
    scenario = await startScenario({
      database: DATABASE,
      pgDatabase: "live_page_tokens",
      channels: ["orders"],
      settings: {
        Hub__Auth__AllowAnonymous: "false",
        Hub__Auth__SigningKey: signingKey.toString("base64"),
        Hub__Auth__Issuer: issuer,
        Hub__Auth__Audience: audience,
      },
    });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await scenario?.stop();
  });

  test("without a token the page cannot connect", async () => {
    const page = await browser.newPage();
    await page.goto(scenario.hub.baseUrl);
    await page.waitForSelector('#state:not([data-state="connected"])');
    await page.waitForTimeout(1_000);
    assert.notEqual(await page.getAttribute("#state", "data-state"), "connected");
    await page.close();
  });

  test("a token in the URL fragment connects, subscribes and receives, and leaves the address bar", async () => {
    const page = await browser.newPage();
    await page.goto(`${scenario.hub.baseUrl}/#token=${token([DATABASE])}`);
    await page.waitForSelector('#state[data-state="connected"]');
    assert.equal(new URL(page.url()).hash, "", "the token is taken out of the address bar");

    await page.fill("#channel", "orders");
    await page.click("#subscribe");
    await page.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="orders"]`);
    await scenario.postgres.notify("live_page_tokens", "orders", "with a token");
    await page.waitForFunction(() => document.querySelector("#notifications .payload")?.textContent === "with a token");
    await page.close();
  });

  test("a caller allowed to publish gets the publish box; what it publishes arrives, a refusal shows and the page carries on", async () => {
    const page = await browser.newPage();
    await page.goto(`${scenario.hub.baseUrl}/?database=${DATABASE}&channel=orders#token=${token([DATABASE], [DATABASE])}`);
    await page.waitForSelector(`.chip[data-database="${DATABASE}"][data-channel="orders"]`);
    await page.waitForSelector("#publish-form:not([hidden])");

    await page.fill("#publish-channel", "not_configured");
    await page.fill("#publish-payload", "refused");
    await page.click("#publish");
    await page.waitForSelector('#publish-status[data-outcome="error"]');
    assert.equal(await page.textContent("#publish-status"), `channel name 'not_configured' is not allowed for database '${DATABASE}'`);

    await page.fill("#publish-channel", "orders");
    await page.fill("#publish-payload", '{"from":"the page"}');
    await page.click("#publish");
    await page.waitForSelector('#publish-status[data-outcome="ok"]');
    await page.waitForFunction(() => document.querySelector("#notifications .payload")?.textContent === '{\n  "from": "the page"\n}');
    assert.equal(await page.$$eval("#notifications > li", (nodes) => nodes.length), 1, "the refused one was never sent");
    assert.equal(await page.getAttribute("#state", "data-state"), "connected");
    await page.close();
  });

  test("a token that grants no publishing shows no publish box", async () => {
    const page = await browser.newPage();
    await page.goto(`${scenario.hub.baseUrl}/#token=${token([DATABASE])}`);
    await page.waitForSelector('#state[data-state="connected"]');
    await page.waitForFunction(() => document.querySelector("#database").value !== "");
    assert.equal(await page.isHidden("#publish-form"), true);
    await page.close();
  });
});

