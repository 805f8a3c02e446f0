/**
 * The `batch` command's work, loaded only when `batch` runs: read the JSONL lines, validate and price
 * them all (nothing is sent while any is invalid, unless --skip-invalid), then the generated package's
 * runBatch with a journal beside the results file, a progress display, Ctrl-C that stops submitting,
 * and the results written in input order.
 */
import { mkdir, open, readFile, rename, rm, stat, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type {
  BatchLine,
  BatchPlan,
  BatchProgress,
  BatchResult,
  PlanBatchOptions,
  RunBatchOptions,
} from "../runtime/batch/batch.js";
import { BatchJournalError, DownloadError, downloadToFile, openBatchJournal } from "../runtime/node.js";
import type { MediaInput } from "../runtime/validation/rule-types.js";
import type { ValidationIssue } from "../runtime/validation/issues.js";
import { BatchDisplay, usd } from "./batch-progress.js";
import {
  CliFailure,
  EXIT,
  cliWording,
  importGeneratedPackage,
  plural,
  type CliIo,
  type CommandContext,
} from "./context.js";
import { expandLocalMedia } from "./local-media.js";
import { outputFileName, outputUrls } from "./outputs.js";
import { apiSettings } from "./requests.js";
import { submitValidationOf, type SubmitValidationArgs } from "./submit-validation.js";

interface BatchPackage {
  modelIds: readonly string[];
  loadModel: (modelId: string) => Promise<{ mediaInputs?: readonly MediaInput[] }>;
  createClient: (options: Record<string, unknown>) => object;
  planBatch?: (client: object, lines: BatchLine[], options: PlanBatchOptions) => Promise<BatchPlan>;
  runBatch?: (client: object, lines: BatchLine[], options: RunBatchOptions) => AsyncGenerator<BatchResult>;
}

export interface BatchArgs extends SubmitValidationArgs {
  model_or_inputs: unknown;
  inputs?: unknown;
  out: unknown;
  concurrency: number;
  "max-cost"?: number;
  "skip-invalid": boolean;
  resume: boolean;
  "resubmit-unknown": boolean;
  "dry-run": boolean;
  download?: string;
  "poll-interval": number;
  "base-url"?: string;
  package: string;
}

type InvalidLine = BatchPlan["invalid"][number];

const issue = (message: string): ValidationIssue => ({ path: "", source: "schema", severity: "error", message });

/** `1-5, 9, 12-14` */
export function lineRanges(lines: readonly number[]): string {
  const sorted = [...lines].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j;
  }
  return parts.join(", ");
}

/**
 * The file's lines as batch lines (blank lines skipped; numbers are the file's line numbers), and
 * those that cannot be lines: not JSON, not the mixed form, an unknown model, a local file unreadable.
 */
async function readBatchInputs(
  file: string,
  modelId: string | undefined,
  pkg: BatchPackage,
  io: CliIo,
): Promise<{ lines: BatchLine[]; broken: InvalidLine[] }> {
  let text: string;
  try {
    text = await readFile(path.resolve(io.cwd, file), "utf8");
  } catch (e) {
    throw new CliFailure(`cannot read ${file}: ${(e as Error).message}`, EXIT.usage);
  }
  const lines: BatchLine[] = [];
  const broken: InvalidLine[] = [];
  const rows = text.split("\n");
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i].replace(/\r$/, "");
    if (!row.trim()) continue;
    const line = i + 1;
    const fail = (id: string, message: string) => void broken.push({ line, modelId: id, issues: [issue(message)] });
    let value: unknown;
    try {
      value = JSON.parse(row);
    } catch (e) {
      fail(modelId ?? "", `not JSON: ${(e as Error).message}`);
      continue;
    }
    let id = modelId;
    let input = value;
    if (id === undefined) {
      const v = value as Record<string, unknown>;
      if (!v || typeof v !== "object" || Array.isArray(v) || typeof v.model_id !== "string" || !("input" in v)) {
        fail("", 'a line of a mixed batch is {"model_id": "…", "input": {…}} (or name the model before the file)');
        continue;
      }
      id = v.model_id;
      input = v.input;
    }
    if (!pkg.modelIds.includes(id)) {
      fail(id, `unknown model id ${JSON.stringify(id)}`);
      continue;
    }
    try {
      ({ input } = await expandLocalMedia(input, (await pkg.loadModel(id)).mediaInputs ?? [], io.cwd));
    } catch (e) {
      if (!(e instanceof CliFailure)) throw e;
      fail(id, e.message);
      continue;
    }
    lines.push({ line, modelId: id, input });
  }
  return { lines, broken };
}

/** What the plan says, on stderr: the invalid lines, the warnings, the estimate and the lines it cannot price. */
function reportPlan(plan: BatchPlan, total: number, maxCost: number | undefined, io: CliIo): void {
  for (const bad of plan.invalid)
    for (const i of bad.issues) io.stderr(cliWording(`line ${bad.line}: ${i.path || "/"}  ${i.message}\n`));
  const warned = plan.warnings.length;
  if (warned) {
    const [first] = plan.warnings;
    io.stderr(
      cliWording(
        `${plural(warned, "line")} valid with warnings (line ${first.line}: ${first.issues[0].path || "/"}  ${first.issues[0].message}${warned > 1 ? "; …" : ""})\n`,
      ),
    );
  }
  const valid = total - plan.invalid.length;
  io.stderr(`${plural(total, "line")}: ${valid} valid, ${plan.invalid.length} invalid\n`);
  const { totalUsd, priced, unpriced } = plan.estimate;
  io.stderr(`estimated cost: ${usd(totalUsd)} for ${plural(priced, "priced line")}\n`);
  if (unpriced.length) {
    const byReason = new Map<string, number[]>();
    for (const u of unpriced) byReason.set(u.reason, [...(byReason.get(u.reason) ?? []), u.line]);
    io.stderr(`${plural(unpriced.length, "line")} cannot be priced (counted as $0 in the estimate):\n`);
    for (const [reason, lines] of byReason)
      io.stderr(`  line${lines.length > 1 ? "s" : ""} ${lineRanges(lines)}: ${reason}\n`);
    if (maxCost !== undefined)
      io.stderr(
        `  --max-cost counts them as $0 until RunComfy reports their cost: the ceiling bounds them only after the fact\n`,
      );
  }
}

/** Appends results to the results file, opened (and truncated) at the first one. */
class ResultsFile {
  private handle?: FileHandle;
  constructor(private readonly file: string) {}

  async write(r: BatchResult): Promise<void> {
    this.handle ??= await open(this.file, "w");
    const row = {
      line: r.line,
      model_id: r.modelId,
      ...(r.requestId ? { request_id: r.requestId } : {}),
      status: r.status,
      ...(r.output !== undefined ? { output: r.output } : {}),
      ...(r.cost !== undefined ? { cost: r.cost } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
    await this.handle.write(`${JSON.stringify(row)}\n`);
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

/**
 * Saves a completed line's outputs as `run --download` does (same names, the same address guard).
 * Each file is written as `NAME.part` and renamed when whole, so a kill mid-download leaves no
 * partial file under the real name; a file already there (an earlier run's) is kept.
 */
async function downloadLine(r: BatchResult, dir: string, allowPrivateNetwork: boolean): Promise<string[]> {
  const failures: string[] = [];
  await mkdir(dir, { recursive: true });
  for (const { key, url } of outputUrls(r.output)) {
    const file = path.join(dir, outputFileName(r.requestId!, key, url));
    if (await exists(file)) continue;
    const part = `${file}.part`;
    await rm(part, { force: true });
    try {
      await downloadToFile(url, part, { allowPrivateNetwork });
      await rename(part, file);
    } catch (e) {
      if (!(e instanceof DownloadError)) throw e;
      failures.push(`line ${r.line} ${key}: ${e.message}`);
    }
  }
  return failures;
}

const exists = (file: string) =>
  stat(file).then(
    () => true,
    () => false,
  );

export async function runBatchCommand(args: BatchArgs, { io, setExit }: CommandContext): Promise<void> {
  const [modelId, inputsFile] =
    args.inputs === undefined
      ? [undefined, args.model_or_inputs as string]
      : [args.model_or_inputs as string, args.inputs as string];
  const out = path.resolve(io.cwd, String(args.out));
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1)
    throw new CliFailure("--concurrency must be a whole number of at least 1", EXIT.usage);
  if (args["max-cost"] !== undefined && !(args["max-cost"] >= 0))
    throw new CliFailure("--max-cost must be a number of USD, at least 0", EXIT.usage);
  if (args["resubmit-unknown"] && !args.resume)
    throw new CliFailure("--resubmit-unknown goes with --resume", EXIT.usage);
  const settings = args["dry-run"] ? { token: "dry-run", baseUrl: undefined } : await apiSettings(io, args["base-url"]);
  const pkg = await importGeneratedPackage<BatchPackage>(args.package);
  if (typeof pkg.runBatch !== "function" || typeof pkg.planBatch !== "function")
    throw new CliFailure(
      `the generated package at ${args.package} predates batch runs: run \`npm run generate\``,
      EXIT.usage,
    );
  if (modelId !== undefined && !pkg.modelIds.includes(modelId))
    throw new CliFailure(
      `unknown model id ${JSON.stringify(modelId)}; known: ${pkg.modelIds.join(", ")}`,
      EXIT.usage,
      "UnknownModelError",
    );
  const journalFile = `${out}.journal`;
  // Before any validation: a results file of another batch is never overwritten.
  if (!args["dry-run"] && !args.resume && !(await exists(journalFile)) && (await exists(out)))
    throw new CliFailure(`${args.out} exists: choose another --out, or remove it`, EXIT.usage);

  const { lines, broken } = await readBatchInputs(inputsFile, modelId, pkg, io);
  const client = pkg.createClient({ token: settings.token, baseUrl: settings.baseUrl, validate: false });
  const plan = await pkg.planBatch(client, lines, { validate: submitValidationOf(args) });
  plan.invalid.push(...broken);
  plan.invalid.sort((a, b) => a.line - b.line);
  const all = [...lines, ...broken.map((b) => ({ line: b.line, modelId: b.modelId, input: undefined }))].sort(
    (a, b) => a.line - b.line,
  );
  if (!all.length) throw new CliFailure(`${inputsFile} has no lines`, EXIT.usage);
  reportPlan(plan, all.length, args["max-cost"], io);
  if (args["dry-run"]) return setExit(plan.invalid.length ? EXIT.failed : EXIT.ok);
  if (plan.invalid.length && !args["skip-invalid"])
    throw new CliFailure(
      `${plural(plan.invalid.length, "invalid line")} (${lineRanges(plan.invalid.map((i) => i.line))}): nothing was submitted (--skip-invalid runs the valid lines)`,
      EXIT.failed,
      "ValidationError",
    );

  let journal;
  try {
    journal = await openBatchJournal(journalFile, { resume: args.resume });
  } catch (e) {
    if (e instanceof BatchJournalError) throw new CliFailure(e.message, EXIT.usage);
    throw e;
  }
  if (args.resume)
    io.stderr(journal.resumed ? `resuming from ${journalFile}\n` : `no journal at ${journalFile} yet: starting\n`);

  const display = new BatchDisplay(io, (io.stderrIsTTY ?? io.isTTY) && io.env.TERM !== "dumb");
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    if (++interrupts > 1) {
      // The journal is consistent at every moment: leaving now loses nothing a resume cannot pick up.
      display.message("interrupted again: exiting now (--resume continues from the journal)");
      process.exit(EXIT.interrupted);
    }
    display.message("interrupted: nothing more is submitted; cancelling queued jobs… (Ctrl-C again to exit now)");
    controller.abort();
  };
  process.on("SIGINT", onSigint);
  const results = new ResultsFile(out);
  const tally = new Map<string, BatchResult[]>();
  const downloadFailures: string[] = [];
  let last: BatchProgress | undefined;
  try {
    for await (const r of pkg.runBatch(client, all, {
      plan,
      journal,
      concurrency: args.concurrency,
      signal: controller.signal,
      skipInvalid: args["skip-invalid"],
      resubmitUnknown: args["resubmit-unknown"],
      maxCostUsd: args["max-cost"],
      pollIntervalMs: args["poll-interval"],
      onProgress: (p) => {
        last = p;
        display.update(p);
      },
    })) {
      await results.write(r);
      tally.set(r.status, [...(tally.get(r.status) ?? []), r]);
      if (r.status === "failed" || r.status === "unknown")
        display.message(
          `line ${r.line}: ${r.status}${r.requestId ? ` [request ${r.requestId}]` : ""}: ${r.error?.message ?? ""}`,
        );
      if (args.download && r.status === "completed")
        downloadFailures.push(...(await downloadLine(r, args.download, args["allow-private-network"])));
    }
  } catch (e) {
    if ((e as Error).name === "BatchRefusedError")
      throw new CliFailure(
        (e as Error).message,
        (e as { reason?: string }).reason === "journal" ? EXIT.usage : EXIT.failed,
      );
    throw e;
  } finally {
    process.off("SIGINT", onSigint);
    display.stop();
    await results.close();
    await journal.close();
  }
  const count = (s: string) => tally.get(s)?.length ?? 0;
  const summary = ["completed", "failed", "cancelled", "unknown", "invalid", "not_submitted", "running"]
    .filter((s) => count(s))
    .map((s) => `${count(s)} ${s.replace("_", " ")}`);
  io.stderr(
    `${plural(all.length, "line")}: ${summary.join(", ")} · cost ${usd(last?.costUsd ?? 0)} (as RunComfy reported it) · results in ${args.out}\n`,
  );
  const running = tally.get("running") ?? [];
  if (running.length)
    io.stderr(
      `keep running and are billed (--resume collects their results): ${running.map((r) => `line ${r.line} [request ${r.requestId}]`).join(", ")}\n`,
    );
  const unknown = tally.get("unknown") ?? [];
  if (unknown.length)
    io.stderr(
      `outcome unknown, not resubmitted (a job may exist and be billed; --resume --resubmit-unknown submits them again): lines ${lineRanges(unknown.map((r) => r.line))}\n`,
    );
  if (count("not_submitted") && last?.stopping) io.stderr(`not submitted: ${last.stopping}; --resume submits them\n`);
  for (const f of downloadFailures) io.stderr(`download failed: ${f}\n`);
  const stoppedByService = !!last?.stopping?.startsWith("the service refused");
  setExit(
    controller.signal.aborted
      ? EXIT.interrupted
      : stoppedByService
        ? EXIT.service
        : count("completed") === all.length && !downloadFailures.length
          ? EXIT.ok
          : EXIT.failed,
  );
}
