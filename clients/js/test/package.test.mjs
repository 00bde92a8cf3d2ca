// The npm package as a stranger gets it: `npm pack` (which builds it), installed from the tarball into a new project
// that require()s it, imports it and type-checks the README's example, with source maps that resolve.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, test } from "node:test";
import { run } from "./support/processes.mjs";

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(packageRoot, "node_modules", "typescript", "bin", "tsc");

describe("npm package", () => {
  let scratch;
  let installed;
  let packed;

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), "hub-npm-package-"));
    const { stdout } = await run("npm", ["pack", "--json", "--pack-destination", scratch], { cwd: packageRoot, maxBuffer: 16 * 1024 * 1024 });
    [packed] = JSON.parse(stdout.slice(stdout.indexOf("[")));
    const app = join(scratch, "app");
    await run("mkdir", [app]);
    await writeFile(join(app, "package.json"), JSON.stringify({ name: "scratch", version: "1.0.0", private: true }));
    // Its dependencies come from the registry (or npm's cache), the client only from the tarball.
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", join(scratch, packed.filename)], { cwd: app });
    installed = join(app, "node_modules", "@notify-hub", "client");
  });

  after(async () => {
    if (scratch) {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  test("is publishable: not private, licensed, and ships what its exports and maps name", async () => {
    const manifest = JSON.parse(await readFile(join(installed, "package.json"), "utf8"));
    assert.equal(manifest.private, undefined);
    assert.equal(manifest.license, "MIT");
    assert.ok(existsSync(join(installed, "LICENSE")), "the licence file is in the package");
    const files = packed.files.map((f) => f.path);
    for (const target of ["dist/index.js", "dist/index.d.ts", "dist/cjs/index.cjs", "dist/cjs/index.d.cts", "dist/browser/notify-hub-client.js", "src/index.ts", "README.md"]) {
      assert.ok(files.includes(target), `${target} is packed`);
    }
  });

  test("require() gives the CommonJS build", async () => {
    const { stdout } = await run(process.execPath, ["-e", `
      const { NotificationHubClient, HubError, CLIENT_RECONNECTED } = require("@notify-hub/client");
      const client = new NotificationHubClient({ url: "http://127.0.0.1:1/hubs/notifications" });
      console.log(JSON.stringify({ state: client.state, error: new HubError("x") instanceof Error, reason: CLIENT_RECONNECTED, file: require.resolve("@notify-hub/client") }));
    `], { cwd: join(scratch, "app") });
    const result = JSON.parse(stdout);
    assert.deepEqual({ ...result, file: undefined }, { state: "disconnected", error: true, reason: "client-reconnected", file: undefined });
    assert.match(result.file, /dist\/cjs\/index\.cjs$/);
  });

  test("import gives the ES module build", async () => {
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", `
      import { NotificationHubClient, foreverRetryDelay } from "@notify-hub/client";
      const client = new NotificationHubClient({ url: "http://127.0.0.1:1/hubs/notifications" });
      console.log(JSON.stringify({ state: client.state, delay: typeof foreverRetryDelay, file: import.meta.resolve("@notify-hub/client") }));
    `], { cwd: join(scratch, "app") });
    const result = JSON.parse(stdout);
    assert.equal(result.state, "disconnected");
    assert.equal(result.delay, "function");
    assert.match(result.file, /dist\/index\.js$/);
  });

  test("the README's example type-checks as an ES module, and the client's types as CommonJS", async () => {
    const readme = await readFile(join(packageRoot, "README.md"), "utf8");
    const example = readme.match(/```ts\n([\s\S]*?)```/)[1];
    const app = join(scratch, "app");
    await writeFile(join(app, "example.mts"), `declare function reload(database: string): void;\n${example}\nexport {};\n`);
    await writeFile(join(app, "required.cts"), `import hub = require("@notify-hub/client");\nconst client: hub.NotificationHubClient = new hub.NotificationHubClient({ url: "http://x" });\nclient.on("resync", (r: hub.HubResync) => r.database);\nexport = client;\n`);
    await run(process.execPath, [tsc, "--noEmit", "--strict", "--skipLibCheck", "--target", "es2022", "--lib", "es2022,dom", "--module", "nodenext", "--moduleResolution", "nodenext", "--types", "", "example.mts", "required.cts"], { cwd: app });
  });

  test("every source map resolves to sources in the package", async () => {
    const maps = (await readdir(installed, { recursive: true })).filter((f) => f.endsWith(".map"));
    assert.ok(maps.length > 0);
    for (const map of maps) {
      const { sources, sourcesContent } = JSON.parse(await readFile(join(installed, map), "utf8"));
      sources.forEach((source, i) => {
        const path = resolve(installed, dirname(map), source);
        assert.ok(existsSync(path) || sourcesContent?.[i], `${map} names ${source}, which is not in the package`);
        if (!source.includes("node_modules")) {
          assert.ok(path.startsWith(installed), `${map} names ${source}, outside the package`);
        }
      });
    }
  });
});
