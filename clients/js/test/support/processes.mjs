// Small helpers for the real servers the tests run: free loopback ports and child processes.
import { execFile } from "node:child_process";
import { createServer } from "node:net";
import { promisify } from "node:util";

export const run = promisify(execFile);

/** A TCP port nothing listens on right now, on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a truthy value or `timeoutMs` passes; returns that value. */
export async function eventually(probe, { timeoutMs = 10_000, intervalMs = 50, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  for (;;) {
    try {
      const value = await probe();
      if (value) {
        return value;
      }
    } catch (error) {
      lastError = error;
    }

    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
    }

    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
