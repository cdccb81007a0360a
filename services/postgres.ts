import { join } from "node:path";
import type { ProcessSpec } from "./process.js";
import type { Service, ServicePlaces } from "./types.js";

export interface PostgresOptions {
  readonly port: number;
  /** Created once, when it first answers (before it counts as ready); the first is PGDATABASE. */
  readonly databases: readonly string[];
}

/** A word sh and SQL both take as it is. */
const databaseName = /^[a-z_][a-z0-9_]{0,62}$/;
const quote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/**
 * The pinned postgres, its data in the project's state (initdb on the first `up`, as the user, `trust` on
 * the socket and 127.0.0.1 only, the only places it listens), its socket in a short private directory.
 */
export const postgres: Service<PostgresOptions> = {
  name: "postgres",
  tool: "postgres",

  validate(raw, fail) {
    const options = raw === true ? {} : raw;
    if (typeof options !== "object" || options === null || Array.isArray(options)) throw fail("services.postgres", raw, "must be an object of options (or true)", "services: { postgres: { port: 5433, databases: [\"app\"] } }");
    const { port = 5432, databases = [], ...extra } = options as Record<string, unknown>;
    const unknown = Object.keys(extra)[0];
    if (unknown !== undefined) throw fail(`services.postgres.${unknown}`, extra[unknown], "unknown option; allowed: port, databases", `remove "${unknown}"`);
    if (!(Number.isInteger(port) && (port as number) >= 1024 && (port as number) < 65536)) throw fail("services.postgres.port", port, "must be a port from 1024 to 65535", "port: 5433");
    if (!Array.isArray(databases) || !databases.every((d) => typeof d === "string" && databaseName.test(d))) {
      throw fail("services.postgres.databases", databases, "must list database names (lower case letters, digits, _)", 'databases: ["app", "app_test"]');
    }
    return { port: port as number, databases: databases as string[] };
  },

  ports: (options) => [options.port],

  processes(options, places) {
    const data = join(places.state, "data");
    const socket = `-h ${quote(places.sockets)} -p ${options.port}`;
    const server: ProcessSpec = {
      name: "postgres",
      run: [
        // The first start makes the cluster: the user is its superuser; trust, as it listens only on the socket and 127.0.0.1.
        `[ -f ${quote(join(data, "PG_VERSION"))} ] || initdb -D ${quote(data)} -U ${quote(places.user)} -A trust -E UTF8 --no-locale --no-sync`,
        `exec postgres -D ${quote(data)} -k ${quote(places.sockets)} -p ${options.port} -h 127.0.0.1 -c unix_socket_permissions=0700`,
      ].join(" && "),
      after: [],
      // Ready once it answers and its databases exist (made here, once): what comes `after` it may use them at once.
      ready: {
        exec: [
          `psql ${socket} -U ${quote(places.user)} -d postgres -Atc 'select 1' >/dev/null 2>&1`,
          ...options.databases.map((db) => `{ psql ${socket} -U ${quote(places.user)} -d postgres -Atc "select 1 from pg_database where datname = '${db}'" | grep -q 1 || createdb ${socket} -U ${quote(places.user)} ${db}; }`),
        ].join(" && "),
      },
      readyTimeout: 60,
      restart: "no",
      env: {},
      cwd: ".",
      // Postgres's "smart" SIGTERM waits for clients; SIGINT is its fast, clean shutdown.
      stop: { signal: "SIGINT", grace: 30 },
      ports: [options.port],
    };
    return [server];
  },

  env(options, places: ServicePlaces) {
    const database = options.databases[0] ?? "postgres";
    return {
      PGHOST: places.sockets,
      PGPORT: String(options.port),
      PGUSER: places.user,
      PGDATABASE: database,
      DATABASE_URL: `postgresql://${encodeURIComponent(places.user)}@127.0.0.1:${options.port}/${database}`,
    };
  },
};
