/**
 * The cost estimate in the CLI: `validate` prints it under the issues, `run --dry-run` (dryRun in
 * validate.ts) validates and estimates without submitting. The estimate comes from the generated
 * package's `estimateCost`, so the CLI says exactly what the package would.
 */
import type { CostEstimate } from "../runtime/pricing/pricing.js";
import { formatCostEstimate } from "../runtime/pricing/pricing.js";
import type { ValidationResult } from "../runtime/validation/issues.js";
import { generateCommand } from "../shared/paths.js";

export interface EstimatingRoot {
  modelIds: readonly string[];
  validate: (modelId: string, input: unknown, options: unknown) => Promise<ValidationResult>;
  /** Missing in packages generated before pricing existed. */
  estimateCost?: (modelId: string, input: unknown) => Promise<CostEstimate>;
}

export async function costEstimate(pkg: EstimatingRoot, modelId: string, input: unknown): Promise<CostEstimate> {
  if (typeof pkg.estimateCost !== "function")
    return {
      estimated: false,
      reason: `the generated package predates cost estimates: run \`${generateCommand(process.cwd())}\``,
    };
  return pkg.estimateCost(modelId, input);
}

export const estimateLine = (estimate: CostEstimate) => `estimated cost: ${formatCostEstimate(estimate)}\n`;
