// The CommonJS build, for require(): one file with the client's modules (its dependencies stay packages, required at
// run time), a source map into src/, and declarations as .d.cts so TypeScript treats require()'d types as CommonJS.
import { readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { build } from "esbuild";

const out = "dist/cjs";
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

await build({
  entryPoints: ["src/index.ts"],
  outfile: `${out}/index.cjs`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: ["node20"],
  packages: "external",
  sourcemap: true,
  logLevel: "warning",
});

// tsc wrote the ES module declarations; the CommonJS ones are the same text, importing each other as .cjs.
for (const name of await readdir("dist")) {
  if (!name.endsWith(".d.ts")) {
    continue;
  }

  const text = (await readFile(`dist/${name}`, "utf8"))
    .replace(/^\/\/# sourceMappingURL=.*$/m, "")
    .replace(/(from\s+["']\.\/[^"']+)\.js(["'])/g, "$1.cjs$2");
  await writeFile(`${out}/${name.replace(/\.d\.ts$/, ".d.cts")}`, text);
}
