import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ForeverRetryPolicy, foreverRetryDelay } from "../dist/index.js";

describe("foreverRetryDelay", () => {
  test("retries at once the first time", () => {
    assert.equal(foreverRetryDelay(0, 30_000), 0);
  });

  test("doubles from 250 ms, each delay between half and all of its ceiling", () => {
    const ceilings = [250, 500, 1000, 2000, 4000];
    ceilings.forEach((ceiling, index) => {
      assert.equal(foreverRetryDelay(index + 1, 30_000, () => 0), ceiling / 2);
      assert.equal(foreverRetryDelay(index + 1, 30_000, () => 1), ceiling);
    });
  });

  test("is capped by the maximum delay", () => {
    assert.equal(foreverRetryDelay(12, 5_000, () => 1), 5_000);
    assert.equal(foreverRetryDelay(12, 5_000, () => 0), 2_500);
  });

  test("never gives up, however many attempts failed", () => {
    const policy = new ForeverRetryPolicy(30_000);
    for (const previousRetryCount of [10, 100, 10_000, Number.MAX_SAFE_INTEGER]) {
      const delay = policy.nextRetryDelayInMilliseconds({ previousRetryCount, elapsedMilliseconds: 1e9, retryReason: new Error("down") });
      assert.equal(typeof delay, "number");
      assert.ok(delay >= 15_000 && delay <= 30_000, `delay ${delay} after ${previousRetryCount} attempts`);
    }
  });
});
