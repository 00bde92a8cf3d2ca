// A loopback TCP proxy in front of the hub that can stop reading what the server sends, on every connection, while
// what clients send still goes through: a client whose incoming network stalled.
import { connect, createServer } from "node:net";

export async function startProxy(targetPort) {
  const upstreams = new Set();
  let paused = false;
  let bytesFromClients = 0;
  const server = createServer((client) => {
    const upstream = connect(targetPort, "127.0.0.1");
    upstreams.add(upstream);
    client.on("data", (chunk) => {
      bytesFromClients += chunk.length;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => client.write(chunk));
    if (paused) {
      upstream.pause();
    }

    const close = () => {
      upstreams.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("close", close);
      socket.on("error", close);
    }
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });

  return {
    port: server.address().port,
    /** The bytes clients have sent towards the server so far (pings included). */
    get bytesFromClients() {
      return bytesFromClients;
    },
    pauseServerReads() {
      paused = true;
      upstreams.forEach((upstream) => upstream.pause());
    },
    resumeServerReads() {
      paused = false;
      upstreams.forEach((upstream) => upstream.resume());
    },
    close() {
      upstreams.forEach((upstream) => upstream.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
