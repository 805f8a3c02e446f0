/** `runcomfy-codegen import <page...>` and `pull`: new models into schemas/. */
import { DEFAULT_BASE_URL } from "../runtime/client/credentials.js";
import { CliFailure, EXIT, withHelp, type RegisterCommand } from "./context.js";
import { catalogConnection } from "./models.js";

export const registerImport: RegisterCommand = (y, { io, config }) =>
  y.command(
    "import <pages..>",
    "Create schema files from saved model API docs pages (text or HTML, any language)",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 import saved/dreamina-4-0-edit.html", "a saved docs page -> schemas/<model_id>.json"],
          ["$0 import pages/*.txt --dry-run", "say what would be added or updated"],
        ],
        env: [],
      })
        .positional("pages", { type: "string", array: true, demandOption: true })
        .option("out", { type: "string", default: config.schemas, describe: "Folder of schema files" })
        .option("dry-run", { type: "boolean", default: false, describe: "Write nothing; report what would change" })
        .option("force", {
          type: "boolean",
          default: false,
          describe: "Overwrite even when only translated text differs",
        }),
    async (args) => {
      const [{ importPages }, { PageImportError }] = await Promise.all([
        import("../importer/import-pages.js"),
        import("../importer/page.js"),
      ]);
      let outcomes;
      try {
        outcomes = await importPages(args.pages as string[], {
          outDir: args.out,
          dryRun: args["dry-run"],
          force: args.force,
          policy: config.severity,
        });
      } catch (e) {
        if (e instanceof PageImportError) throw new CliFailure(e.message);
        throw e;
      }
      const would = args["dry-run"] ? "would be " : "";
      // After each written file, what `generate` will say about it (stderr, as generate prints notes).
      const notesOf = (o: (typeof outcomes)[number]) => {
        if (o.action !== "added" && o.action !== "updated") return;
        for (const n of o.notes) io.stderr(`  ${n.severity}  ${o.file}#${n.pointer}: ${n.message} [${n.code}]\n`);
      };
      for (const o of outcomes) {
        if (o.action === "added") io.stdout(`${o.modelId}: ${would}added (${o.file})\n`);
        else if (o.action === "unchanged") io.stdout(`${o.modelId}: unchanged\n`);
        else if (o.action === "kept-translation")
          io.stdout(
            `${o.modelId}: kept the existing file; ${o.page} differs only in translated text (${o.differences.length} places; --force to overwrite)\n`,
          );
        else if (o.action === "updated")
          io.stdout(
            `${o.modelId}: ${would}updated from ${o.page}; differences at:\n${o.differences.map((d) => `  ${d}`).join("\n")}\n`,
          );
        notesOf(o);
      }
    },
  );

export const registerPull: RegisterCommand = (y, { io, config }) =>
  y.command(
    "pull [model_ids..]",
    "Write or update schema files (pricing included) from the live catalog: all of it, the catalog's filters, or named models",
    (c) =>
      withHelp(c, {
        examples: [
          ["$0 pull", "every model of the catalog into schemas/"],
          ["$0 pull bytedance/dreamina-4-0/edit", "one model (GET /v1/models/{model_id})"],
          ["$0 pull --category text-to-video --search seedance", "the catalog's own filters"],
          ["$0 pull --filter dreamina --dry-run", "what would change for models whose id contains dreamina"],
          ["$0 pull --prune", "also delete files of models the catalog no longer has"],
        ],
        env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR"],
      })
        .positional("model_ids", {
          type: "string",
          array: true,
          describe: "Pull only these models (GET /v1/models/{model_id} each)",
        })
        .option("base-url", {
          type: "string",
          describe: `API base URL (default: RUNCOMFY_BASE_URL or ${DEFAULT_BASE_URL})`,
        })
        .option("out", { type: "string", default: config.schemas, describe: "Folder of schema files" })
        .option("search", {
          type: "string",
          describe: "The catalog's search filter (the service decides what matches)",
        })
        .option("category", {
          type: "string",
          describe: "The catalog's category filter, e.g. text-to-video (`models --categories` lists them)",
        })
        .option("kind", { type: "string", describe: "The catalog's kind filter, e.g. model" })
        .option("filter", { type: "string", describe: "Only model ids containing this text (checked locally)" })
        .option("dry-run", { type: "boolean", default: false, describe: "Write nothing; report what would change" })
        .option("prune", {
          type: "boolean",
          default: false,
          describe: "Delete files of models the catalog no longer has (whole-catalog pulls only)",
        }),
    async (args) => {
      const { pullCatalog, seesWholeCatalog } = await import("../importer/pull.js");
      const options = {
        ...(await catalogConnection(args, io)),
        outDir: args.out,
        modelIds: args.model_ids as string[] | undefined,
        search: args.search,
        category: args.category,
        kind: args.kind,
        filter: args.filter,
        dryRun: args["dry-run"],
        prune: args.prune,
      };
      let report;
      try {
        report = await pullCatalog(options);
      } catch (e) {
        if (e instanceof TypeError) throw new CliFailure(e.message, EXIT.usage);
        throw e;
      }
      const would = args["dry-run"] ? " (dry run: nothing written)" : "";
      for (const id of report.added) io.stdout(`added    ${id}\n`);
      for (const c of report.changed) io.stdout(`changed  ${c.modelId}: ${c.properties.join(", ")}\n`);
      for (const id of report.removed)
        io.stdout(
          `removed  ${id}${args.prune && !args["dry-run"] ? " (file deleted)" : " (not in the catalog; file kept, --prune deletes it)"}\n`,
        );
      for (const s of report.skipped) io.stderr(`skipped  ${s.modelId}: ${s.reason}\n`);
      for (const w of report.warnings) io.stderr(`warning  ${w.modelId}: ${w.reason}\n`);
      const removed = seesWholeCatalog(options)
        ? `, ${report.removed.length} removed`
        : " (a filtered pull does not look for removed models)";
      const skipped = report.skipped.length ? `, ${report.skipped.length} skipped` : "";
      io.stdout(
        `${report.added.length} added, ${report.changed.length} changed, ${report.unchanged.length} unchanged${removed}${skipped}${would}\n`,
      );
    },
  );
