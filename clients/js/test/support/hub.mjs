// The real hub, Hub.Server built in Release, as a child process on a loopback port that survives restarts,
// so clients can reconnect to "the same server".
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually, freePort } from "./processes.mjs";

const repository = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..");
const serverDll = process.env.HUB_SERVER_DLL ?? join(repository, "Hub.Server", "bin", "Release", "net10.0", "Hub.Server.dll");

/** Settings for the databases given as { name: { connectionString, channels } }, with short listener timings. */
function environmentFor(databases, settings) {
  const env = {
    ...process.env,
    ASPNETCORE_ENVIRONMENT: "Production",
    DOTNET_NOLOGO: "1",
    Logging__LogLevel__Default: "Warning",
    Hub__Auth__AllowAnonymous: "true",
    Hub__Listener__IdleGracePeriod: "00:00:01",
    Hub__Listener__ReconnectInitialDelay: "00:00:00.100",
    Hub__Listener__ReconnectMaxDelay: "00:00:01",
  };
  for (const [name, database] of Object.entries(databases)) {
    env[`Hub__Databases__${name}__ConnectionString`] = database.connectionString;
    database.channels.forEach((channel, index) => {
      env[`Hub__Databases__${name}__Channels__${index}`] = channel;
    });
  }

  return { ...env, ...settings };
}

export class HubProcess {
  #env;
  #settings;
  #child;
  #output = [];

  constructor(env, port, settings) {
    this.#env = env;
    this.#settings = settings;
    this.port = port;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.hubUrl = `${this.baseUrl}/hubs/notifications`;
  }

  /** Starts the hub for `databases`; `settings` adds or overrides environment variables (Hub__Auth__..., ...). */
  static async start(databases, settings = {}) {
    if (!existsSync(serverDll)) {
      throw new Error(`${serverDll} not found: build the hub first (dotnet build Hub.Server -c Release).`);
    }

    const hub = new HubProcess(environmentFor(databases, settings), await freePort(), settings);
    await hub.start();
    return hub;
  }

  /** The hub's recent console output, for failure messages. */
  get output() {
    return this.#output.join("");
  }

  async start() {
    if (this.#child) {
      throw new Error("The hub is already running.");
    }

    const child = spawn("dotnet", [serverDll, "--urls", this.baseUrl], {
      env: this.#env,
      cwd: repository,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk) => {
      this.#output.push(chunk.toString());
      if (this.#output.length > 200) {
        this.#output.shift();
      }
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    // Never leave a hub behind, even when the test process ends without running its after hooks.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    const exited = new Promise((resolve) => child.once("exit", resolve)).then(() => process.off("exit", killOnExit));
    this.#child = { process: child, exited };
    await eventually(async () => {
      if (child.exitCode !== null) {
        throw new Error(`The hub exited with ${child.exitCode}:\n${this.output}`);
      }

      const response = await fetch(`${this.baseUrl}/health/live`);
      return response.ok;
    }, { timeoutMs: 30_000, intervalMs: 100, what: "the hub to answer /health/live" }).catch((error) => {
      child.kill("SIGKILL");
      throw error;
    });
  }

  /** Stops the hub: SIGTERM for a graceful shutdown, SIGKILL for a crash. */
  async stop(signal = "SIGTERM") {
    const child = this.#child;
    if (!child) {
      return;
    }

    this.#child = undefined;
    if (child.process.exitCode === null) {
      child.process.kill(signal);
    }

    await child.exited;
  }

  /** Changes the databases the hub serves from its next start on, as an operator editing its configuration would. */
  configure(databases) {
    this.#env = environmentFor(databases, this.#settings);
  }

  async restart(signal = "SIGTERM") {
    await this.stop(signal);
    await this.start();
  }
}
