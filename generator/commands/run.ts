/**
 * `runcomfy-codegen run <model_id> <input>`: its options and help; the work (validate, submit,
 * progress, outputs, download) is in run-job.ts, loaded only when `run` runs.
 */
import { withHelp, type RegisterCommand } from "./context.js";
import { withSubmitValidationFlags } from "./submit-validation.js";
import { dryRun } from "./validate.js";

export const registerRun: RegisterCommand = (y, ctx) => {
  const { io, config, setExit } = ctx;
  return y.command(
    "run <model_id> <input>",
    "Validate, submit and wait for a job; print the output URLs",
    (c) =>
      withSubmitValidationFlags(
        withHelp(c, {
          examples: [
            [
              "$0 run bytedance/dreamina-3-0/pro/text-to-video input.json",
              "validate, submit, wait; print the output URLs",
            ],
            ["$0 run bytedance/dreamina-4-0/edit input.json --download out/", "and save the outputs"],
            [
              "$0 run bytedance/dreamina-4-0/edit - --json < input.json",
              "input from standard input, output (or the error) as JSON",
            ],
            [
              "$0 run bytedance/dreamina-4-0/edit input.json --timeout 600",
              "give up waiting after 10 minutes (the job keeps running)",
            ],
            [
              "$0 run bytedance/dreamina-4-0/edit input.json --dry-run",
              "validate and estimate the cost; submit nothing",
            ],
            [
              `echo '{"prompt":"a hat","image_urls":["@./cat.png"]}' | $0 run bytedance/dreamina-4-0/edit -`,
              "a local file for a media input (@path, as curl), sent as a data URI",
            ],
          ],
          env: ["RUNCOMFY_API_TOKEN", "RUNCOMFY_BASE_URL", "RUNCOMFY_CONFIG_DIR", "TERM"],
        })
          .positional("model_id", { type: "string", demandOption: true })
          .positional("input", {
            type: "string",
            demandOption: true,
            describe: "Input JSON file, or - for standard input",
          })
          .option("base-url", {
            type: "string",
            describe: "API base URL (default: RUNCOMFY_BASE_URL or https://model-api.runcomfy.net/v1)",
          })
          .option("timeout", { type: "number", describe: "Give up after this many seconds" })
          .option("json", { type: "boolean", default: false, describe: "Print the whole output as JSON" })
          .option("download", { type: "string", describe: "Save the outputs into this folder" })
          .option("package", { type: "string", default: config.output, describe: "Folder of the generated package" })
          .option("dry-run", {
            type: "boolean",
            default: false,
            describe: "Validate and estimate the cost; submit nothing (no token needed)",
          }),
      ),
    async (args) => {
      if (args["dry-run"]) return dryRun(args, io, setExit);
      const { runCommand } = await import("./run-job.js");
      await runCommand(args, ctx);
    },
  );
};
