// Bundles the client with @microsoft/signalr and its MessagePack protocol into one ES module for browsers,
// so a page can load it from the hub itself: no CDN, nothing fetched at run time.
import { build } from "esbuild";

await build({
  entryPoints: ["dist/index.js"],
  outfile: "dist/browser/notify-hub-client.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022"],
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
});
