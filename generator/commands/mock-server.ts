/** `runcomfy-codegen mock-server`: the offline RunComfy emulator, until SIGINT/SIGTERM. */
import { readFile } from "node:fs/promises";
import { END_STATUSES, type EndStatus } from "../mock/end-status.js";
import type { CatalogOverrides } from "../mock/catalog.js";
import type { FaultRule } from "../mock/faults.js";
import { CliFailure, EXIT, withHelp, type RegisterCommand } from "./context.js";

const range = (v: string | undefined): number | [number, number] | undefined => {
  if (v === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(v);
  if (!m) throw new CliFailure(`not a duration in ms or a range "min-max": ${v}`, 2);
  return m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
};

/** A JSON option file (fault rules, catalog fields): unreadable or not JSON is a usage error. */
async function readJsonFile(file: string, what: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new CliFailure(`cannot read ${what} from ${file}: ${(e as Error).message}`, EXIT.usage);
  }
}

export const registerMockServer: RegisterCommand = (y, { io, config }) =>
  y.command(
    "mock-server",
    "Serve the RunComfy queue API locally from the schema files (an offline emulator)",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 mock-server --port 8787", "then RUNCOMFY_BASE_URL=http://127.0.0.1:8787/v1"],
          ["$0 mock-server --queue-ms 1000-5000 --fail-rate 0.1", "slower queue, one job in ten fails"],
          [
            `$0 mock-server --catalog prices.json`,
            `catalog fields per model, e.g. {"bytedance/dreamina-4-0/edit": {"base_price_usd": 0.03, "price_unit": "output"}}: results then carry a cost`,
          ],
        ],
        env: [],
      })
        .option("port", { type: "number", default: 8787, describe: "Port on 127.0.0.1 (0: any free port)" })
        .option("schemas", { type: "string", default: config.schemas, describe: "Folder of schema files" })
        .option("queue-ms", { type: "string", describe: "Time in queue, ms or min-max (default 300)" })
        .option("run-ms", { type: "string", describe: "Time running, ms or min-max (default 700)" })
        .option("fail-rate", { type: "number", default: 0, describe: "Share of jobs that fail, 0–1" })
        .option("end-status", {
          choices: END_STATUSES,
          default: "completed" as EndStatus,
          describe: "The status finished jobs end in (a submit's x-emulator-end-status header sets one job's)",
        })
        .option("token", { type: "string", describe: "The only accepted token (default: any)" })
        .option("seed", { type: "number", default: 1, describe: "Seed of the emulator's randomness" })
        .option("max-body-mb", {
          type: "number",
          default: 100,
          describe: "Largest request body in MiB; larger ones get 413",
        })
        .option("catalog", {
          type: "string",
          describe:
            "JSON file of catalog fields per model id over the derived ones: { \"<model id>\": { display_name, categories, kind, base_price_usd, price_unit, pricing_note } }. RunComfy's ComfyUI partner nodes ask a model's price before they submit and refuse a model without one: schema files that record no price (the seed models) need base_price_usd and price_unit here for that flow",
        })
        .option("faults", {
          type: "string",
          describe:
            "JSON file with fault rules: [{route, status, retryAfterSeconds, drop, malformed, delayMs, after, probability, times}]",
        }),
    async (args) => {
      const faults = args.faults === undefined ? [] : ((await readJsonFile(args.faults, "fault rules")) as FaultRule[]);
      if (!Array.isArray(faults)) throw new CliFailure(`${args.faults} must hold a JSON array of fault rules`);
      const catalog = args.catalog === undefined ? undefined : await readJsonFile(args.catalog, "catalog fields");
      const { startEmulator } = await import("../mock/emulator.js");
      const emulator = await startEmulator({
        schemasDir: args.schemas,
        port: args.port,
        token: args.token,
        queueMs: range(args["queue-ms"]),
        runMs: range(args["run-ms"]),
        failRate: args["fail-rate"],
        endStatus: args["end-status"] as EndStatus,
        seed: args.seed,
        faults,
        maxBodyBytes: Math.round(args["max-body-mb"] * 2 ** 20),
        catalog: catalog as CatalogOverrides | undefined,
      }).catch((e: Error) => {
        // A TypeError is a bad option (the catalog file's shape or ids): a usage error, naming the file.
        if (e instanceof TypeError) throw new CliFailure(`${args.catalog}: ${e.message}`, EXIT.usage);
        throw new CliFailure(e.message);
      });
      io.stdout(`RunComfy emulator listening on ${emulator.baseUrl}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          resolve();
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
      await emulator.close();
      const s = emulator.stats();
      io.stdout(`stopped after ${s.submits} jobs\n`);
    },
  );
