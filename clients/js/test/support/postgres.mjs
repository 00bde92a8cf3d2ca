// A throwaway PostgreSQL server: initdb into a temporary folder, started on a free loopback port, removed by
// stop(). As root it runs as the 'postgres' user, since initdb and postgres refuse to run as root.
import { existsSync, readdirSync } from "node:fs";
import { chown, mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort, run } from "./processes.mjs";

function findBinDirectory() {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql (scripts/install-deps.sh installs them).");
  }

  return join(root, versions[0], "bin");
}

export class PostgresServer {
  #bin;
  #root;
  #data;
  #asPostgres;

  constructor(bin, root, port, asPostgres) {
    this.#bin = bin;
    this.#root = root;
    this.#data = join(root, "data");
    this.#asPostgres = asPostgres;
    this.port = port;
  }

  static async start() {
    const bin = findBinDirectory();
    const root = await mkdtemp(join(tmpdir(), "hub-js-tests-pg-"));
    const asPostgres = userInfo().uid === 0;
    if (asPostgres) {
      const { stdout } = await run("id", ["-u", "postgres"]);
      const { stdout: gid } = await run("id", ["-g", "postgres"]);
      await chown(root, Number(stdout), Number(gid));
    }

    const server = new PostgresServer(bin, root, await freePort(), asPostgres);
    await server.#tool("initdb", ["-D", server.#data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
    await server.#tool("pg_ctl", [
      "-D", server.#data, "-w", "-l", join(root, "postgres.log"),
      "-o", `-p ${server.port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off`, "start",
    ]);
    return server;
  }

  /** An Npgsql connection string for the hub's configuration. */
  connectionString(database) {
    return `Host=127.0.0.1;Port=${this.port};Database=${database};Username=postgres;Timeout=5`;
  }

  async createDatabase(name) {
    await this.sql("postgres", `CREATE DATABASE "${name}"`);
  }

  /** Runs SQL with psql and returns its unaligned, tuples-only output lines. */
  async sql(database, text) {
    const { stdout } = await run(join(this.#bin, "psql"), [
      "-h", "127.0.0.1", "-p", String(this.port), "-U", "postgres", "-d", database, "-X", "-q", "-A", "-t",
      "-v", "ON_ERROR_STOP=1", "-c", text,
    ]);
    return stdout.split("\n").filter((line) => line.length > 0);
  }

  /** Sends NOTIFY from a new backend and returns that backend's process id. */
  async notify(database, channel, payload) {
    const [pid] = await this.sql(database, `SELECT pg_backend_pid() FROM (SELECT pg_notify(${literal(channel)}, ${literal(payload)})) AS n`);
    return Number(pid);
  }

  /** Kills the hub's LISTEN connections to `database`, as a network failure or a restart would. */
  async terminateListeners(database) {
    const rows = await this.sql("postgres",
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'notify-hub listener' AND datname = ${literal(database)}`);
    return rows.length;
  }

  async stop() {
    try {
      await this.#tool("pg_ctl", ["-D", this.#data, "-m", "immediate", "-w", "stop"]);
    } finally {
      await rm(this.#root, { recursive: true, force: true });
    }
  }

  #tool(name, args) {
    const path = join(this.#bin, name);
    return this.#asPostgres ? run("runuser", ["-u", "postgres", "--", path, ...args]) : run(path, args);
  }
}

/** A SQL string literal. */
export function literal(value) {
  return `'${String(value).replaceAll("'", "''")}'`;
}
