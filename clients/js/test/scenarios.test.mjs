// Every scenario of clients/scenarios.json has a JavaScript client test ("[id]" in its name), and every tag is listed.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { test } from "node:test";

test("every scenario has a test and every tagged test names a scenario", () => {
  const listed = Object.keys(JSON.parse(readFileSync(new URL("../../scenarios.json", import.meta.url), "utf8")).scenarios);
  const testDirectory = new URL("./", import.meta.url);
  const sources = readdirSync(testDirectory)
    .filter((file) => file.endsWith(".test.mjs"))
    .map((file) => readFileSync(new URL(file, testDirectory), "utf8"));
  // A tag is the scenario id in square brackets at the end of a test's name.
  const tagged = new Set(sources.flatMap((source) => [...source.matchAll(/test\(\s*(["'`])(?:(?!\1).)*\[([a-z-]+)\]\1/g)].map((m) => m[2])));

  assert.deepEqual(listed.filter((id) => !tagged.has(id)), [], "scenarios without a JavaScript test");
  assert.deepEqual([...tagged].filter((id) => !listed.includes(id)), [], "tags that name no scenario");
});
