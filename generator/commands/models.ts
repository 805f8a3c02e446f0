/**
 * `runcomfy-codegen models`: the catalog as the official `runcomfy models` lists it — id, display
 * name, categories, price — with the catalog's filters; `--categories` lists the categories;
 * `--json` prints what the service answered, for scripts.
 */
import type { CatalogConnection, CatalogEntry } from "../importer/catalog.js";
import { DEFAULT_BASE_URL } from "../runtime/client/credentials.js";
import { terminalText } from "../shared/escape.js";
import { CliFailure, EXIT, withHelp, type CliIo, type RegisterCommand } from "./context.js";
import { apiSettings } from "./requests.js";

/** Base URL and token for the catalog commands (`pull`, `models`), read as every API command reads them. */
export async function catalogConnection(args: { "base-url"?: string }, io: CliIo): Promise<CatalogConnection> {
  return apiSettings(io, args["base-url"]);
}

const text = (v: unknown) =>
  typeof v === "string"
    ? v
    : Array.isArray(v)
      ? v.map(String).join(", ")
      : v === undefined || v === null
        ? "-"
        : String(v);

/** A plain-text table: columns padded to their widest cell, the last one left ragged. */
export function formatTable(head: string[], rows: string[][]): string {
  // Escaped here, before the widths are measured; a tab or newline would break the columns.
  const clean = (s: string) => terminalText(s).replace(/[\t\n]/g, " ");
  const all = [head, ...rows].map((r) => r.map(clean));
  const widths = head.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  return (
    all
      .map((r) =>
        r
          .map((cell, i) => (i === r.length - 1 ? cell : cell + " ".repeat(widths[i] - [...cell].length)))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n"
  );
}

const catalogRow = (m: CatalogEntry, priceCell: (m: CatalogEntry) => string) => [
  text(m.model_id),
  text(m.display_name),
  text(m.categories),
  priceCell(m),
];

export const registerModels: RegisterCommand = (y, { io }) =>
  y.command(
    "models",
    "List the catalog's models: id, display name, categories, price (GET /v1/models)",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 models", "every model: id, name, categories, price"],
          ["$0 models --category text-to-video --search seedance", "the catalog's own filters"],
          ["$0 models --categories", "the catalog's categories"],
          ["$0 models --json --limit 20", "the first 20 entries as the service sends them"],
        ],
        env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR"],
      })
        .option("base-url", {
          type: "string",
          describe: `API base URL (default: RUNCOMFY_BASE_URL or ${DEFAULT_BASE_URL})`,
        })
        .option("search", { type: "string", describe: "The catalog's search filter" })
        .option("category", { type: "string", describe: "The catalog's category filter" })
        .option("kind", { type: "string", describe: "The catalog's kind filter, e.g. model" })
        .option("limit", { type: "number", describe: "At most this many entries (default: every match, page by page)" })
        .option("offset", { type: "number", default: 0, describe: "Skip this many entries" })
        .option("categories", {
          type: "boolean",
          default: false,
          describe: "List the catalog's categories instead (GET /v1/models/categories)",
        })
        .option("json", {
          type: "boolean",
          default: false,
          describe: "Print JSON: { models, total } as the service answered (without schemas), or { categories }",
        }),
    async (args) => {
      if (args.limit !== undefined && !(Number.isInteger(args.limit) && args.limit > 0))
        throw new CliFailure("--limit must be a whole number above 0", EXIT.usage);
      if (!(Number.isInteger(args.offset) && args.offset >= 0))
        throw new CliFailure("--offset must be a whole number, 0 or more", EXIT.usage);
      const { catalogHttp, listCatalog, listCategories, priceCell } = await import("../importer/catalog.js");
      const http = catalogHttp(await catalogConnection(args, io));
      if (args.categories) {
        const categories = await listCategories(http);
        io.stdout(
          args.json ? JSON.stringify({ categories }, null, 2) + "\n" : categories.map((c) => `${text(c)}\n`).join(""),
        );
        return;
      }
      const { models, total } = await listCatalog(http, {
        search: args.search,
        category: args.category,
        kind: args.kind,
        limit: args.limit,
        offset: args.offset,
      });
      if (args.json) return void io.stdout(JSON.stringify({ models, total }, null, 2) + "\n");
      if (!models.length) return void io.stderr("No models matched.\n");
      io.stdout(
        formatTable(
          ["MODEL_ID", "NAME", "CATEGORIES", "PRICE"],
          models.map((m) => catalogRow(m, priceCell)),
        ),
      );
      io.stderr(`${args.offset + 1}-${args.offset + models.length} of ${total}\n`);
    },
  );
