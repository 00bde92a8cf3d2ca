// samples/browser, served from the repository as its README says, in a real headless Chromium against a real hub
// and a real PostgreSQL: subscribe, load the snapshot, apply newer versions only, and reload on a resync.
import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { launchChromium } from "./support/browser.mjs";
import { startScenario } from "./support/scenario.mjs";
import { serveDirectory } from "./support/static.mjs";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const DATABASE = "app";
const PG_DATABASE = "browser_sample";

describe("browser sample", () => {
  let site;
  let scenario;
  let browser;
  let page;
  const pageErrors = [];

  const notify = (row) => scenario.postgres.notify(PG_DATABASE, "orders", JSON.stringify(row));
  const logLines = () => page.$$eval("#log > li", (nodes) => nodes.map((n) => n.textContent));
  const orders = () => page.$$eval("#orders tr", (rows) => rows.map((r) => [...r.cells].map((c) => c.textContent)));
  const waitForOrder = (id, status, version) => page.waitForFunction(([id, status, version]) =>
    [...document.querySelectorAll("#orders tr")].some((r) =>
      r.cells[0].textContent === id && r.cells[1].textContent === status && r.cells[2].textContent === version),
  [String(id), status, String(version)]);
  const waitForLogCount = (text, count) => page.waitForFunction(([text, count]) =>
    [...document.querySelectorAll("#log > li")].filter((li) => li.textContent === text).length === count, [text, count]);

  before(async () => {
    site = await serveDirectory(repository);
    scenario = await startScenario({
      database: DATABASE,
      pgDatabase: PG_DATABASE,
      channels: ["orders"],
      settings: { Hub__Cors__AllowedOrigins__0: site.origin },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    // Chromium asks for /favicon.ico, which the repository has not got; any other failed request is the sample's.
    page.on("response", (response) => response.status() >= 400 && !response.url().endsWith("/favicon.ico")
      && pageErrors.push(`${response.status()} ${response.url()}`));
  });

  after(async () => {
    await browser?.close();
    await scenario?.stop();
    await site?.close();
  });

  test("subscribes, then loads the two orders of the snapshot", async () => {
    await page.goto(`${site.origin}/samples/browser/?hub=${encodeURIComponent(scenario.hub.baseUrl)}&database=${DATABASE}`);
    await page.waitForFunction((text) => document.querySelector("#status").textContent === text, `live: ${DATABASE} · orders`);
    assert.deepEqual(await orders(), [["1", "new", "1"], ["2", "new", "1"]]);
    assert.deepEqual(await logLines(), ["loaded 2 orders"]);
  });

  test("applies a newer version and skips an older one", async () => {
    await notify({ id: 1, status: "paid", version: 2 });
    await waitForOrder(1, "paid", 2);
    await notify({ id: 2, status: "cancelled", version: 0 });
    // A marker after the stale row: once it is applied, the stale one has been handled too.
    await notify({ id: 3, status: "new", version: 1 });
    await waitForOrder(3, "new", 1);
    assert.deepEqual(await orders(), [["1", "paid", "2"], ["2", "new", "1"], ["3", "new", "1"]]);
    assert.ok(!(await logLines()).some((line) => line.startsWith("order 2:")), "the older version of order 2 was not applied");
  });

  test("a lost listener connection makes the page load the snapshot again", async () => {
    assert.ok(await scenario.postgres.terminateListeners(PG_DATABASE) >= 1);
    await page.waitForFunction(() => [...document.querySelectorAll("#log > li")].some((li) => li.textContent.startsWith("resync (listener-reconnected)")),
      null, { timeout: 15_000 });
    await waitForLogCount("loaded 2 orders", 2);
    assert.deepEqual(await orders(), [["1", "new", "1"], ["2", "new", "1"]]);

    await notify({ id: 2, status: "shipped", version: 2 });
    await waitForOrder(2, "shipped", 2);
    assert.deepEqual(pageErrors, []);
  });
});
