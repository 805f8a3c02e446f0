/**
 * `runcomfy-codegen validate <model_id> <input.json | ->`: schema and media rules and the cost
 * estimate, using the generated package; `run --dry-run` does the same through dryRun below.
 */
import type { Argv } from "yargs";
import type { ValidationResult } from "../runtime/validation/issues.js";
import {
  cliWording,
  EXIT,
  withHelp,
  importGeneratedPackage,
  plural,
  requireKnownModel,
  type CliIo,
  type RegisterCommand,
} from "./context.js";
import type { EstimatingRoot } from "./estimate.js";

/**
 * What validate and run --dry-run start with: the generated package, and the model's input as run
 * would send it (@path at a media input read as a data URI). The local-file reader and the pricing
 * runtime are loaded when they run.
 */
async function loadModelInput(packageDir: string, modelId: string, inputArg: string, io: CliIo) {
  const [{ readModelInput }, { costEstimate, estimateLine }] = await Promise.all([
    import("./local-media.js"),
    import("./estimate.js"),
  ]);
  const pkg = await importGeneratedPackage<
    EstimatingRoot & {
      loadModel: (modelId: string) => Promise<{
        inputSchema: unknown;
        mediaInputs?: readonly import("../runtime/validation/rule-types.js").MediaInput[];
      }>;
    }
  >(packageDir);
  requireKnownModel(pkg, modelId);
  const { input, files } = await readModelInput(pkg, modelId, inputArg, io);
  return { pkg, input, files, costEstimate, estimateLine };
}

export function formatIssues(result: ValidationResult): string {
  const lines = result.issues.map(
    (i) =>
      `${i.severity === "error" ? "error  " : "warning"} ${i.path || "/"}  ${i.message}  [${i.source}${i.rule ? ` ${i.rule}` : i.keyword ? ` ${i.keyword}` : ""}]`,
  );
  const errors = result.issues.filter((i) => i.severity === "error").length;
  lines.push(
    result.valid
      ? `valid${result.issues.length ? ` (${plural(result.issues.length, "warning")})` : ""}`
      : `invalid: ${plural(errors, "problem")}`,
  );
  return cliWording(lines.join("\n") + "\n");
}

/** The options and help of `validate`; `packageDir` is the default of --package (from the config file). */
const validateOptions = (c: Argv, packageDir: string) =>
  withHelp(c, {
    examples: [
      ["$0 validate bytedance/dreamina-4-0/edit input.json", "schema and media rules (probes the image URLs)"],
      [
        'echo \'{"prompt":"a cat"}\' | $0 validate bytedance/dreamina-4-0/edit - --no-probe',
        "from standard input, schema only",
      ],
      ["$0 validate bytedance/dreamina-4-0/edit input.json --json", "the result (and the cost estimate) as JSON"],
      [
        `echo '{"prompt":"a cat","image_urls":["@./cat.png"]}' | $0 validate bytedance/dreamina-4-0/edit -`,
        "a local file for a media input (@path, as curl): checked as the data URI run would send",
      ],
    ],
    env: [],
  })
    .positional("model_id", {
      type: "string",
      demandOption: true,
      describe: "Model id, e.g. bytedance/dreamina-4-0/edit",
    })
    .positional("input", {
      type: "string",
      demandOption: true,
      describe: "Input JSON file, or - for standard input; a media value @path reads a local file",
    })
    .option("probe", {
      type: "boolean",
      default: true,
      describe: "Probe media to check the validations rules (--no-probe: schema only)",
    })
    .option("allow-private-network", {
      type: "boolean",
      default: false,
      describe: "Let probes reach loopback/private addresses",
    })
    .option("allow-http", { type: "boolean", default: false, describe: "Accept plain http media URLs" })
    .option("allow-data-uris", {
      type: "boolean",
      default: true,
      describe:
        "Accept data: URIs for media (the default, as RunComfy accepts them; --no-allow-data-uris refuses them)",
    })
    .option("unknown-properties", {
      choices: ["error", "warning", "ignore"] as const,
      default: "warning" as const,
      describe: "A key the schema does not declare: warn (sent as is), refuse, or ignore",
    })
    .option("probe-failures", {
      choices: ["error", "warning"] as const,
      default: "warning" as const,
      describe:
        "A media rule this machine could not check (network, timeout, 5xx from the host): a warning, or an error",
    })
    .option("timeout-ms", { type: "number", default: 10_000, describe: "Time limit of each probe" })
    .option("package", { type: "string", default: packageDir, describe: "Folder of the generated package" })
    .option("json", { type: "boolean", default: false, describe: "Print the result as JSON" });

export const registerValidate: RegisterCommand = (y, { io, config, setExit }) =>
  y.command(
    "validate <model_id> <input>",
    "Validate an input (a JSON file, or - for stdin) against a model's schema and media rules; estimate its cost",
    (c) => validateOptions(c, config.output),
    async (args) => {
      const modelId = args.model_id as string;
      const { pkg, input, files, costEstimate, estimateLine } = await loadModelInput(
        args.package,
        modelId,
        args.input as string,
        io,
      );
      const result = await pkg.validate(modelId, input, {
        allowHttp: args["allow-http"],
        // Files given as @path are sent as data URIs, so those must pass.
        allowDataUris: args["allow-data-uris"] || files.length > 0,
        unknownProperties: args["unknown-properties"],
        probeFailures: args["probe-failures"],
        probe: args.probe
          ? { allowPrivateNetwork: args["allow-private-network"], timeoutMs: args["timeout-ms"] }
          : false,
      });
      const estimate = await costEstimate(pkg, modelId, input);
      io.stdout(
        args.json
          ? JSON.stringify({ ...result, costEstimate: estimate }, null, 2) + "\n"
          : formatIssues(result) + estimateLine(estimate),
      );
      setExit(result.valid ? EXIT.ok : EXIT.failed);
    },
  );

export interface DryRunArgs {
  model_id: unknown;
  input: unknown;
  package: string;
  validate: boolean;
  probe: boolean;
  json: boolean;
  "allow-http": boolean;
  "allow-private-network": boolean;
  "unknown-properties": string;
  "probe-failures": "error" | "warning";
}

/** `run --dry-run`: validation (unless --no-validate) and the estimate; nothing is submitted. */
export async function dryRun(args: DryRunArgs, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const modelId = args.model_id as string;
  // As run itself reads it: @path at a media input becomes the data URI run would send.
  const { pkg, input, costEstimate, estimateLine } = await loadModelInput(
    args.package,
    modelId,
    args.input as string,
    io,
  );
  const options = {
    allowHttp: args["allow-http"],
    unknownProperties: args["unknown-properties"],
    probeFailures: args["probe-failures"],
  };
  const validation = args.validate
    ? await pkg.validate(modelId, input, {
        ...options,
        probe: args.probe ? { allowPrivateNetwork: args["allow-private-network"] } : false,
      })
    : undefined;
  const estimate = await costEstimate(pkg, modelId, input);
  if (args.json)
    io.stdout(
      JSON.stringify(
        { dryRun: true, modelId, ...(validation ? { validation } : {}), costEstimate: estimate },
        null,
        2,
      ) + "\n",
    );
  else
    io.stdout(
      `${validation ? formatIssues(validation) : "not validated (--no-validate)\n"}${estimateLine(estimate)}dry run: nothing was submitted\n`,
    );
  setExit(!validation || validation.valid ? EXIT.ok : EXIT.failed);
}
