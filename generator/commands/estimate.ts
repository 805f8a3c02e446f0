/**
 * The cost estimate in the CLI: `validate` prints it under the issues, `run --dry-run` validates and
 * estimates without submitting (no token needed). The estimate comes from the generated package's
 * `estimateCost`, so the CLI says exactly what the package would.
 */
import type { CostEstimate } from "../runtime/pricing.js";
import { formatCostEstimate } from "../runtime/pricing.js";
import type { ValidationResult } from "../runtime/issues.js";
import { EXIT, importGeneratedPackage, readJsonArgument, requireKnownModel, type CliIo } from "./context.js";
import { formatIssues } from "./validate.js";

export interface EstimatingRoot {
  modelIds: readonly string[];
  validate: (modelId: string, input: unknown, options: unknown) => Promise<ValidationResult>;
  /** Missing in packages generated before pricing existed. */
  estimateCost?: (modelId: string, input: unknown) => Promise<CostEstimate>;
}

export async function costEstimate(pkg: EstimatingRoot, modelId: string, input: unknown): Promise<CostEstimate> {
  if (typeof pkg.estimateCost !== "function") return { estimated: false, reason: "the generated package predates cost estimates: run `npm run generate`" };
  return pkg.estimateCost(modelId, input);
}

export const estimateLine = (estimate: CostEstimate) => `estimated cost: ${formatCostEstimate(estimate)}\n`;

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
}

/** `run --dry-run`: validation (unless --no-validate) and the estimate; nothing is submitted. */
export async function dryRun(args: DryRunArgs, io: CliIo, setExit: (code: number) => void): Promise<void> {
  const pkg = await importGeneratedPackage<EstimatingRoot>(args.package);
  const modelId = args.model_id as string;
  requireKnownModel(pkg, modelId);
  const input = await readJsonArgument(args.input as string, io);
  const validation = args.validate
    ? await pkg.validate(modelId, input, { allowHttp: args["allow-http"], unknownProperties: args["unknown-properties"], probe: args.probe ? { allowPrivateNetwork: args["allow-private-network"] } : false })
    : undefined;
  const estimate = await costEstimate(pkg, modelId, input);
  if (args.json) io.stdout(JSON.stringify({ dryRun: true, modelId, ...(validation ? { validation } : {}), costEstimate: estimate }, null, 2) + "\n");
  else io.stdout(`${validation ? formatIssues(validation) : "not validated (--no-validate)\n"}${estimateLine(estimate)}dry run: nothing was submitted\n`);
  setExit(!validation || validation.valid ? EXIT.ok : EXIT.failed);
}
