/**
 * `runcomfy-codegen batch <model_id> <inputs.jsonl> --out <results.jsonl>` (or `batch <inputs.jsonl>`
 * with lines of `{"model_id", "input"}`): its options and help; the work is in batch-run.ts, loaded
 * only when `batch` runs.
 */
import { withHelp, type RegisterCommand } from "./context.js";
import { withSubmitValidationFlags } from "./submit-validation.js";

export const registerBatch: RegisterCommand = (y, ctx) =>
  y.command(
    "batch <model_or_inputs> [inputs]",
    "Run every line of a JSONL file as a job: validated and priced first, resumable, never submitted twice",
    (c) =>
      withSubmitValidationFlags(
        withHelp(c, {
          examples: [
            [
              "$0 batch bytedance/dreamina-4-0/edit inputs.jsonl --out results.jsonl",
              "one job per line (each line the model's input); results in input order",
            ],
            ["$0 batch mixed.jsonl --out results.jsonl", 'lines of {"model_id": …, "input": …} for several models'],
            [
              "$0 batch bytedance/dreamina-4-0/edit inputs.jsonl --out results.jsonl --resume",
              "after a crash, Ctrl-C or kill: finished lines are kept, submitted ones followed, none resubmitted",
            ],
            [
              "$0 batch bytedance/dreamina-4-0/edit inputs.jsonl --out r.jsonl --max-cost 20 --concurrency 8",
              "refuse a batch estimated above $20; at most 8 jobs submitted and unfinished at once",
            ],
            ["$0 batch bytedance/dreamina-4-0/edit inputs.jsonl --out r.jsonl --dry-run", "validate and estimate only"],
          ],
          env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR", "TERM"],
        })
          .positional("model_or_inputs", {
            type: "string",
            demandOption: true,
            describe: "The model id (then the inputs file follows), or the inputs file of a mixed batch",
          })
          .positional("inputs", {
            type: "string",
            describe: 'JSONL file: one input a line, or {"model_id", "input"} lines when no model id is given',
          })
          .option("out", {
            type: "string",
            demandOption: true,
            describe: "Results file (JSONL, in input order); its journal is written beside it (OUT.journal)",
          })
          .option("concurrency", { type: "number", default: 4, describe: "Jobs submitted and unfinished at once" })
          .option("max-cost", {
            type: "number",
            describe: "Refuse a batch estimated above this many USD; stop submitting before passing it",
          })
          .option("skip-invalid", {
            type: "boolean",
            default: false,
            describe: "Run the valid lines and report the invalid ones (default: submit nothing if any is invalid)",
          })
          .option("resume", { type: "boolean", default: false, describe: "Continue the batch of OUT.journal" })
          .option("resubmit-unknown", {
            type: "boolean",
            default: false,
            describe:
              "With --resume: submit again the lines whose earlier submit has an unknown outcome (may bill twice)",
          })
          .option("dry-run", {
            type: "boolean",
            default: false,
            describe: "Validate and estimate the cost; submit nothing (no token needed)",
          })
          .option("download", { type: "string", describe: "Save every completed line's outputs into this folder" })
          .option("poll-interval", {
            type: "number",
            default: 250,
            describe: "Shortest interval between two polls of a job, ms (as run's pollIntervalMs)",
          })
          .option("base-url", {
            type: "string",
            describe: "API base URL (default: RUNCOMFY_BASE_URL or https://model-api.runcomfy.net/v1)",
          })
          .option("package", {
            type: "string",
            default: ctx.config.output,
            describe: "Folder of the generated package",
          }),
      ),
    async (args) => {
      const { runBatchCommand } = await import("./batch-run.js");
      await runBatchCommand(args, ctx);
    },
  );
