// A fresh PostgreSQL with one database, and the hub configured to serve it under the name `database`.
import { HubProcess } from "./hub.mjs";
import { PostgresServer } from "./postgres.mjs";

export async function startScenario({ database = "app", pgDatabase = "hub_js_tests", channels, settings = {} }) {
  const postgres = await PostgresServer.start();
  try {
    await postgres.createDatabase(pgDatabase);
    const hub = await HubProcess.start({ [database]: { connectionString: postgres.connectionString(pgDatabase), channels } }, settings);
    return {
      postgres,
      hub,
      database,
      pgDatabase,
      async stop() {
        try {
          await hub.stop();
        } finally {
          await postgres.stop();
        }
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
