// A static file server for pages a test opens from the repository (the samples), on a free loopback port.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, resolve, sep } from "node:path";

const contentTypes = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** Serves the files under `root` on 127.0.0.1; a folder answers with its index.html. Returns { origin, close }. */
export async function serveDirectory(root) {
  const base = resolve(root);
  const server = createServer(async (request, response) => {
    try {
      let path = resolve(join(base, decodeURIComponent(new URL(request.url, "http://localhost").pathname)));
      if (path !== base && !path.startsWith(base + sep)) {
        response.writeHead(403).end();
        return;
      }

      if ((await stat(path)).isDirectory()) {
        path = join(path, "index.html");
        await stat(path);
      }

      response.writeHead(200, { "Content-Type": contentTypes[extname(path)] ?? "application/octet-stream", "Cache-Control": "no-store" });
      createReadStream(path).pipe(response);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolvePromise, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolvePromise);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolvePromise) => {
      server.closeAllConnections();
      server.close(() => resolvePromise());
    }),
  };
}
