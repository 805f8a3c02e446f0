/**
 * Batch runs: many jobs from a list of lines, as RunComfy bills them — each submit is a job paid for,
 * and the service has no idempotency key and no list of one's requests, so a job submitted twice is
 * paid twice. Every line is validated and priced before anything is sent (planBatch); at most
 * `concurrency` jobs are submitted and unfinished at once; a journal records each line's state before
 * its submit and after each answer, so a run stopped at any moment (a crash, Ctrl-C, kill -9) resumes
 * without submitting a line twice: a line whose submit may have reached the service but whose answer
 * was lost is "outcome unknown", not resubmitted unless asked. Waiting is `run`'s (client/run.ts), and
 * a 429 slows every worker (one gate for the batch's requests). Web-standard APIs only; the journal on
 * disk is in batch/batch-journal.ts (Node).
 */
import { backoffDelay, parseRetryAfter, sleep } from "../api-http/backoff.js";
import { clientContextOf } from "../client/client.js";
import { hasLocalMedia, inlineLocalMedia } from "../client/local-media.js";
import type { MediaInput } from "../validation/rule-types.js";
import type { ClientContext } from "../client/requests.js";
import { cancel, submit } from "../client/requests.js";
import { waitForJob } from "../client/run.js";
import type { SubmittedJob } from "../client/client-types.js";
import {
  AbortedError,
  AuthenticationError,
  InsufficientBalanceError,
  JobCancelledError,
  JobFailedError,
  NetworkError,
  NotFoundError,
  RateLimitError,
  RunComfyError,
  ServerError,
  ValidationError,
} from "../errors.js";
import type { HttpOptions } from "../api-http/api-request.js";
import type { ValidationIssue } from "../validation/issues.js";
import type { CostEstimate } from "../pricing/pricing.js";
import type { ValidateOptions } from "../validation/validate.js";

/** One line of a batch: its number in the input (1 = the first line), the model and the input. */
export interface BatchLine {
  line: number;
  modelId: string;
  input: unknown;
}

/**
 * Where a line ended: `completed` (with output), `failed` (the job failed, or the service refused
 * the submit: then there is no request id and nothing was billed), `cancelled`, `unknown` (the submit
 * may have reached the service but its answer was lost: not resubmitted unless asked), `invalid` (not
 * submitted: see `error.issues`), `not_submitted` (the batch stopped first: a resume submits it), or
 * `running` (submitted and not finished when the batch stopped: billed, and a resume follows it).
 */
export type BatchLineStatus =
  | "completed"
  | "failed"
  | "cancelled"
  | "unknown"
  | "invalid"
  | "not_submitted"
  | "running";

export interface BatchError {
  /** The error's class (`JobFailedError`, `ValidationError`, …) or what stopped the line. */
  type: string;
  message: string;
  issues?: ValidationIssue[];
}

/** A line's result, as runBatch yields them: in input order. */
export interface BatchResult {
  line: number;
  modelId: string;
  requestId?: string;
  status: BatchLineStatus;
  output?: unknown;
  /** The job's cost in USD, as the service reported it. */
  cost?: number;
  error?: BatchError;
}

/** What the journal records: one line's state, appended before each submit and after each answer. */
export type JournalRecord =
  /** About to submit (written before the request leaves): `key` fingerprints the line's model and input. */
  | { line: number; state: "submitting"; modelId: string; key: string }
  | { line: number; state: "submitted"; requestId: string }
  | { line: number; state: "completed"; requestId: string; output: unknown; cost?: number }
  | { line: number; state: "failed"; requestId?: string; error: BatchError }
  | { line: number; state: "cancelled"; requestId: string }
  /** The submit's answer was lost (a timeout, a dropped connection, a 5xx): a job may exist. */
  | { line: number; state: "unknown"; error: BatchError }
  /** The service provably made no job (a 429, a refused connection, a 401/402): the line may be submitted again. */
  | { line: number; state: "not_sent"; error: BatchError };

/** Where runBatch keeps its journal: the records of earlier runs, and a durable append. */
export interface BatchJournal {
  /** What earlier runs recorded, in the order they wrote it. */
  records(): readonly JournalRecord[];
  /** Resolves once the record is durable (runBatch submits only after "submitting" resolved). */
  append(record: JournalRecord): Promise<void>;
}

/** A journal in memory: nothing survives the process (pass a file journal from `runcomfy-models/node` for that). */
export function memoryJournal(records: JournalRecord[] = []): BatchJournal & { all(): JournalRecord[] } {
  const earlier = [...records];
  const all = [...records];
  return { records: () => earlier, append: async (r) => void all.push(r), all: () => all };
}

/** A line as the journal left it. */
export interface JournaledLine {
  /** `submitting` with no answer after it is `unknown`. */
  state: "submitted" | "unknown" | "not_sent" | "final";
  modelId?: string;
  key?: string;
  requestId?: string;
  final?: JournalRecord;
  /** Submits recorded for the line (each "submitting"). */
  submits: number;
}

/** Each line's last state in the journal's records. */
export function journaledLines(records: readonly JournalRecord[]): Map<number, JournaledLine> {
  const lines = new Map<number, JournaledLine>();
  for (const r of records) {
    const at = lines.get(r.line) ?? { state: "not_sent", submits: 0 };
    if (r.state === "submitting")
      lines.set(r.line, { ...at, state: "unknown", modelId: r.modelId, key: r.key, submits: at.submits + 1 });
    else if (r.state === "submitted") lines.set(r.line, { ...at, state: "submitted", requestId: r.requestId });
    else if (r.state === "unknown" || r.state === "not_sent") lines.set(r.line, { ...at, state: r.state });
    else lines.set(r.line, { ...at, state: "final", final: r, requestId: r.requestId ?? at.requestId });
  }
  return lines;
}

/**
 * A short fingerprint of a line's model and input (cyrb53 over its JSON): a resume refuses a
 * journal whose lines no longer match the input file. Change detection, not security.
 */
export function lineKey(modelId: string, input: unknown): string {
  const text = JSON.stringify([modelId, input]) ?? "";
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** What planBatch found: the invalid lines, the warnings, and the cost estimate. */
export interface BatchPlan {
  invalid: { line: number; modelId: string; issues: ValidationIssue[] }[];
  warnings: { line: number; modelId: string; issues: ValidationIssue[] }[];
  /** Each line's estimated cost in USD; absent for a line that cannot be priced (see `unpriced`). */
  costs: Map<number, number>;
  estimate: {
    /** The sum over the priced lines (invalid ones excluded), USD. */
    totalUsd: number;
    priced: number;
    /** Lines the estimate cannot price, with why: they count as $0 in `totalUsd`. */
    unpriced: { line: number; modelId: string; reason: string }[];
  };
}

export interface PlanBatchOptions {
  /** Validation of each line (schema and media rules). Default: the client's `validate` option; false skips it. */
  validate?: boolean | ValidateOptions;
  /** Lines validated at once (media probes are requests). Default 8. */
  concurrency?: number;
  signal?: AbortSignal;
}

/** A model as the generated package loads it (the client's view, plus the price estimate). */
interface PricedModel {
  validate(input: unknown, options?: ValidateOptions): Promise<{ valid: boolean; issues: ValidationIssue[] }>;
  mediaInputs?: readonly MediaInput[];
  estimateCost?: (input: unknown) => CostEstimate;
}

function contextOf(client: object): ClientContext {
  const ctx = clientContextOf(client);
  if (!ctx) throw new TypeError("runBatch and planBatch take a client made by this package's createClient");
  return ctx;
}

/** Runs `task` over `items` with at most `limit` at once, in order of start. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/** Validates and prices every line before anything is sent: what runBatch checks first, and what a dry run prints. */
export async function planBatch(
  client: object,
  lines: readonly BatchLine[],
  options: PlanBatchOptions = {},
): Promise<BatchPlan> {
  const ctx = contextOf(client);
  const validation = options.validate ?? ctx.options.validate ?? true;
  const plan: BatchPlan = {
    invalid: [],
    warnings: [],
    costs: new Map(),
    estimate: { totalUsd: 0, priced: 0, unpriced: [] },
  };
  const found = new Map<number, { invalid?: ValidationIssue[]; warnings?: ValidationIssue[]; cost?: CostEstimate }>();
  await eachLimited(lines, options.concurrency ?? 8, async ({ line, modelId, input }) => {
    if (options.signal?.aborted) throw new AbortedError("aborted while validating the batch");
    if (!(await ctx.options.knownModel(modelId))) {
      const issue: ValidationIssue = {
        path: "",
        source: "schema",
        severity: "error",
        message: `unknown model id ${JSON.stringify(modelId)}`,
      };
      return void found.set(line, { invalid: [issue] });
    }
    const model = (await ctx.options.loadModel(modelId)) as PricedModel;
    let sent = input;
    try {
      if (hasLocalMedia(input)) sent = await inlineLocalMedia(modelId, input, model.mediaInputs ?? []);
    } catch (e) {
      if (e instanceof ValidationError) return void found.set(line, { invalid: e.issues });
      throw e;
    }
    const cost = model.estimateCost?.(sent);
    if (validation === false) return void found.set(line, { cost });
    const result = await model.validate(sent, validation === true ? {} : validation);
    found.set(line, result.valid ? { warnings: result.issues, cost } : { invalid: result.issues });
  });
  for (const { line, modelId } of lines) {
    const f = found.get(line)!;
    if (f.invalid) {
      plan.invalid.push({ line, modelId, issues: f.invalid.filter((i) => i.severity === "error") });
      continue;
    }
    if (f.warnings?.length) plan.warnings.push({ line, modelId, issues: f.warnings });
    if (f.cost?.estimated) {
      plan.costs.set(line, f.cost.amountUsd);
      plan.estimate.totalUsd += f.cost.amountUsd;
      plan.estimate.priced++;
    } else
      plan.estimate.unpriced.push({
        line,
        modelId,
        reason: f.cost ? f.cost.reason : "the generated package predates cost estimates",
      });
  }
  plan.estimate.totalUsd = Number(plan.estimate.totalUsd.toFixed(10));
  return plan;
}

/** Why runBatch refused to start: invalid lines, the cost ceiling, or a journal of other lines. */
export class BatchRefusedError extends RunComfyError {
  override name = "BatchRefusedError";
  constructor(
    message: string,
    readonly reason: "invalid" | "cost" | "journal",
    readonly plan?: BatchPlan,
  ) {
    super(message);
  }
}

/** The batch's counts, as onProgress receives them after every change. */
export interface BatchProgress {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  unknown: number;
  invalid: number;
  /** Not submitted yet (or, once the batch stopped, never). */
  waiting: number;
  submitting: number;
  queued: number;
  running: number;
  /** Reported costs of the completed lines, USD (earlier runs' included). */
  costUsd: number;
  /** Lines finished in this run (for a rate): completed, failed or cancelled since runBatch started. */
  finishedThisRun: number;
  /** The batch stopped submitting (signal, cost ceiling, the service refusing the account). */
  stopping?: string;
}

export interface RunBatchOptions extends PlanBatchOptions {
  /** Jobs submitted and unfinished at once. Default 4. */
  concurrency?: number;
  /**
   * Stops the batch: nothing more is submitted, jobs still queued are cancelled, running ones keep
   * running (billed) and are yielded as `running`; a resume with the same journal follows them.
   */
  signal?: AbortSignal;
  onProgress?: (progress: BatchProgress) => void;
  /** Default: in memory. A file journal (`openBatchJournal` from `runcomfy-models/node`) makes the batch resumable. */
  journal?: BatchJournal;
  /** Submit the lines whose earlier submit has an unknown outcome (a job may exist, and be billed twice). */
  resubmitUnknown?: boolean;
  /** Run the valid lines and yield the invalid ones as `invalid`, instead of refusing the batch. */
  skipInvalid?: boolean;
  /**
   * Refuse a batch estimated above this (USD), and stop submitting once the jobs submitted (their
   * reported cost once known, else their estimate) and the next one would pass it. Unpriceable lines
   * count as $0 until their cost is reported.
   */
  maxCostUsd?: number;
  /** The plan planBatch returned for these lines (so they are not validated twice). */
  plan?: BatchPlan;
  /** As `run`'s: the shortest and the longest interval between two polls of a job. */
  pollIntervalMs?: number;
  maxPollIntervalMs?: number;
}

/**
 * One gate for every request of a batch: a 429 closes it for its Retry-After (else a growing
 * backoff), so every worker waits, not only the one that was told.
 */
export class RateGate {
  private openAt = 0;
  private strikes = 0;

  constructor(private readonly random: () => number) {}

  async pass(signal?: AbortSignal | null): Promise<void> {
    for (let wait = this.openAt - Date.now(); wait > 0; wait = this.openAt - Date.now())
      await sleep(wait, signal ?? undefined, () => new AbortedError("aborted while the service asked to slow down"));
  }

  answered(status: number, retryAfter: string | null): void {
    if (status !== 429) {
      this.strikes = 0;
      return;
    }
    const ms = parseRetryAfter(retryAfter) ?? backoffDelay(this.strikes, 500, 30_000, this.random);
    this.strikes++;
    this.openAt = Math.max(this.openAt, Date.now() + Math.min(ms, 60_000));
  }

  /**
   * `inner` behind the gate. A submit does not wait here but before it is sent (BatchRun.submit): a
   * wait here counts towards the request's timeout, and a submit timed out may have been sent.
   */
  fetch(inner: typeof fetch): typeof fetch {
    return async (url, init) => {
      const isSubmit = init?.method === "POST" && !String(url).includes("/requests/");
      if (!isSubmit) await this.pass(init?.signal);
      const response = await inner(url, init);
      this.answered(response.status, response.headers.get("retry-after"));
      return response;
    };
  }
}

/** The batch's view of the client: its requests through the gate, its validation done by planBatch. */
function batchContext(ctx: ClientContext, gate: RateGate): ClientContext {
  let http: Promise<HttpOptions> | undefined;
  return {
    ...ctx,
    options: { ...ctx.options, validate: false },
    connection: () => (http ??= ctx.connection().then((h) => ({ ...h, fetch: gate.fetch(h.fetch) }))),
  };
}

const errorOf = (e: unknown): BatchError => ({
  type: e instanceof Error ? e.name : "Error",
  message: e instanceof Error ? e.message : String(e),
  ...(e instanceof ValidationError && e.issues.length ? { issues: e.issues } : {}),
});

/** A job known by its request id alone (from the journal), with the URLs submit would have given. */
function knownJob(ctx: ClientContext, modelId: string, requestId: string): SubmittedJob {
  const at = (kind: string) => `${ctx.baseUrl}/requests/${encodeURIComponent(requestId)}/${kind}`;
  return { modelId, requestId, statusUrl: at("status"), resultUrl: at("result"), cancelUrl: at("cancel") };
}

/** A line's result from its final journal record. */
function resultOfRecord(line: BatchLine, r: JournalRecord): BatchResult {
  const base = { line: line.line, modelId: line.modelId };
  switch (r.state) {
    case "completed":
      return {
        ...base,
        requestId: r.requestId,
        status: "completed",
        output: r.output,
        ...(r.cost === undefined ? {} : { cost: r.cost }),
      };
    case "failed":
      return { ...base, ...(r.requestId ? { requestId: r.requestId } : {}), status: "failed", error: r.error };
    case "cancelled":
      return { ...base, requestId: r.requestId, status: "cancelled" };
    default:
      throw new Error(`not a final record: ${r.state}`);
  }
}

type Phase = "waiting" | "submitting" | "queued" | "running" | BatchLineStatus;

/** What a submit's failure means for the line. */
function submitOutcome(e: unknown): "retry" | "refused" | "stop" | "unknown" {
  if (e instanceof RateLimitError) return "retry";
  if (e instanceof AuthenticationError || e instanceof InsufficientBalanceError) return "stop";
  if (e instanceof NetworkError && e.notSent) return "stop";
  if (e instanceof ServerError || e instanceof NetworkError || e instanceof AbortedError) return "unknown";
  // Any other answer of the service (400, 404, 422, …) refused the job: nothing was made or billed.
  if (e instanceof RunComfyError && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 408)
    return "refused";
  if (e instanceof ValidationError) return "refused";
  return "unknown";
}

/**
 * Runs a batch and yields every line's result in input order (see BatchResult). Refuses to start
 * (BatchRefusedError) when a line is invalid (unless `skipInvalid`), when the estimate is above
 * `maxCostUsd`, or when the journal recorded other lines than these.
 */
export async function* runBatch(
  client: object,
  lines: readonly BatchLine[],
  options: RunBatchOptions = {},
): AsyncGenerator<BatchResult, void, undefined> {
  const ctx = contextOf(client);
  const journal = options.journal ?? memoryJournal();
  const known = journaledLines(journal.records());
  const byLine = new Map(lines.map((l) => [l.line, l]));
  for (const [n, j] of known) {
    const l = byLine.get(n);
    if (!l || (j.key !== undefined && j.key !== lineKey(l.modelId, l.input)))
      throw new BatchRefusedError(
        `line ${n} is not the line the journal recorded (the input file changed since the batch started): start a new batch with another results file`,
        "journal",
      );
  }
  const plan = options.plan ?? (await planBatch(client, lines, options));
  if (plan.invalid.length && !options.skipInvalid)
    throw new BatchRefusedError(
      `${plan.invalid.length} of ${lines.length} lines are invalid (lines ${plan.invalid.map((i) => i.line).join(", ")}); nothing was submitted`,
      "invalid",
      plan,
    );
  // What each line costs: its reported cost once known, else its estimate.
  const reported = new Map<number, number>();
  for (const [n, j] of known)
    if (j.final?.state === "completed" && j.final.cost !== undefined) reported.set(n, j.final.cost);
  const costOfLine = (n: number) => reported.get(n) ?? plan.costs.get(n) ?? 0;
  if (options.maxCostUsd !== undefined) {
    const invalid = new Set(plan.invalid.map((i) => i.line));
    const total = lines.reduce((sum, l) => sum + (invalid.has(l.line) ? 0 : costOfLine(l.line)), 0);
    if (total > options.maxCostUsd)
      throw new BatchRefusedError(
        `the batch is estimated at $${Number(total.toFixed(6))}, above the ceiling of $${options.maxCostUsd}; nothing was submitted`,
        "cost",
        plan,
      );
  }

  const gate = new RateGate(ctx.options.random ?? Math.random);
  const run = new BatchRun(batchContext(ctx, gate), gate, lines, options, {
    journal,
    known,
    plan,
    reported,
    costOfLine,
  });
  const onAbort = () => run.stop("the batch was stopped (signal)");
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const done = run.start();
  done.catch(() => undefined); // awaited below; this keeps a failure from counting as unhandled meanwhile
  let read = false;
  try {
    for (const l of lines) yield await run.result(l.line);
    read = true;
    await done;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
    // A consumer that stops reading stops the batch (nothing more is submitted).
    if (!read) run.stop("the results were no longer read");
    await done.catch(() => undefined);
  }
}

interface RunState {
  journal: BatchJournal;
  known: Map<number, JournaledLine>;
  plan: BatchPlan;
  reported: Map<number, number>;
  costOfLine: (line: number) => number;
}

/** One batch in progress: the workers, each line's phase and result. */
class BatchRun {
  private readonly phases = new Map<number, Phase>();
  private readonly counts = new Map<Phase, number>();
  private readonly results = new Map<
    number,
    { promise: Promise<BatchResult>; resolve: (r: BatchResult) => void; reject: (e: unknown) => void }
  >();
  private readonly following = new Map<number, AbortController>();
  private readonly ended = new Set<number>();
  private stopped?: string;
  private committedUsd = 0;
  private reportedUsd = 0;
  private finishedThisRun = 0;

  constructor(
    private readonly ctx: ClientContext,
    private readonly gate: RateGate,
    private readonly lines: readonly BatchLine[],
    private readonly options: RunBatchOptions,
    private readonly state: RunState,
  ) {
    for (const l of lines) {
      let resolve!: (r: BatchResult) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<BatchResult>((ok, fail) => ((resolve = ok), (reject = fail)));
      promise.catch(() => undefined); // the consumer sees the failure at the first line it awaits
      this.results.set(l.line, { promise, resolve, reject });
      this.phases.set(l.line, "waiting");
    }
    this.counts.set("waiting", lines.length);
    for (const c of state.reported.values()) this.reportedUsd += c;
  }

  result(line: number): Promise<BatchResult> {
    return this.results.get(line)!.promise;
  }

  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    for (const c of this.following.values()) c.abort();
    this.progress();
  }

  /** Runs the batch; a failure of the journal (a full disk) stops it and fails every line not yet yielded. */
  async start(): Promise<void> {
    try {
      await this.work();
    } catch (e) {
      this.stop(`the batch failed: ${(e as Error).message}`);
      for (const r of this.results.values()) r.reject(e);
      throw e;
    }
  }

  private async work(): Promise<void> {
    const { known, plan } = this.state;
    const invalid = new Map(plan.invalid.map((i) => [i.line, i]));
    const follow: BatchLine[] = [];
    const submit: BatchLine[] = [];
    for (const l of this.lines) {
      const j = known.get(l.line);
      const bad = invalid.get(l.line);
      if (j?.final) this.finish(l, resultOfRecord(l, j.final), false);
      else if (j?.state === "submitted") follow.push(l);
      else if (j?.state === "unknown" && !this.options.resubmitUnknown)
        this.outcomeUnknown(
          l,
          "a submit of this line may have reached the service but its answer was lost: a job may exist (and be billed); not resubmitted (resubmitting may run and bill it twice)",
        );
      else if (bad)
        this.finish(l, {
          line: l.line,
          modelId: l.modelId,
          status: "invalid",
          error: { type: "ValidationError", message: issuesText(bad.issues), issues: bad.issues },
        });
      else submit.push(l);
    }
    // Towards the ceiling: what earlier runs spent (completed lines) or may have (unknown ones), and the jobs to follow.
    for (const l of this.lines) {
      const j = known.get(l.line);
      const spent = j?.final?.state === "completed" || (j?.state === "unknown" && !this.options.resubmitUnknown);
      if (spent || j?.state === "submitted") this.committedUsd += this.state.costOfLine(l.line);
    }
    this.progress();
    // Jobs already submitted hold their slots first: they count towards the concurrency.
    const work = [...follow, ...submit];
    await eachLimited(work, this.options.concurrency ?? 4, (l) => this.runLine(l));
    for (const l of work) if (!this.ended.has(l.line)) this.notSubmitted(l);
    this.progress();
  }

  private outcomeUnknown(l: BatchLine, message: string): void {
    this.finish(l, { line: l.line, modelId: l.modelId, status: "unknown", error: { type: "OutcomeUnknown", message } });
  }

  private notSubmitted(l: BatchLine): void {
    this.finish(l, {
      line: l.line,
      modelId: l.modelId,
      status: "not_submitted",
      error: { type: "Stopped", message: `not submitted: ${this.stopped ?? "the batch stopped"}` },
    });
  }

  private async runLine(l: BatchLine): Promise<void> {
    const j = this.state.known.get(l.line);
    if (j?.state === "submitted" && j.requestId) {
      if (this.stopped) return this.stillRunning(l, j.requestId);
      return this.follow(l, knownJob(this.ctx, l.modelId, j.requestId));
    }
    if (this.stopped) return;
    const cost = this.state.costOfLine(l.line);
    const ceiling = this.options.maxCostUsd;
    if (ceiling !== undefined && this.committedUsd + cost > ceiling + 1e-9) {
      this.stop(`the jobs submitted and this line would pass the cost ceiling of $${ceiling}`);
      return;
    }
    this.committedUsd += cost;
    const job = await this.submit(l);
    if (!job) {
      this.committedUsd -= cost;
      return;
    }
    await this.follow(l, job);
  }

  /** Submits a line, journaling before and after; undefined when it was not submitted or its outcome is unknown. */
  private async submit(l: BatchLine): Promise<SubmittedJob | undefined> {
    const { journal } = this.state;
    for (;;) {
      if (this.stopped) return undefined;
      this.setPhase(l.line, "submitting");
      await this.gate.pass();
      if (this.stopped) {
        this.setPhase(l.line, "waiting");
        return undefined;
      }
      await journal.append({ line: l.line, state: "submitting", modelId: l.modelId, key: lineKey(l.modelId, l.input) });
      try {
        // No signal: a submit under way is let finish, so its answer (the request id) is journaled.
        const job = await submit(this.ctx, l.modelId, l.input);
        await journal.append({ line: l.line, state: "submitted", requestId: job.requestId });
        return job;
      } catch (e) {
        const outcome = submitOutcome(e);
        const error = errorOf(e);
        if (outcome === "retry" || outcome === "stop") {
          await journal.append({ line: l.line, state: "not_sent", error });
          this.setPhase(l.line, "waiting");
          if (outcome === "stop") {
            this.stop(`the service refused the submit: ${error.message}`);
            return undefined;
          }
          continue;
        }
        if (outcome === "refused") {
          await journal.append({ line: l.line, state: "failed", error });
          this.finish(l, { line: l.line, modelId: l.modelId, status: "failed", error });
        } else {
          await journal.append({ line: l.line, state: "unknown", error });
          this.outcomeUnknown(l, `the submit's answer was lost (${error.message}): a job may exist; not resubmitted`);
        }
        return undefined;
      }
    }
  }

  /** Waits for a submitted job as `run` does, journaling its end; a stop cancels it if still queued. */
  private async follow(l: BatchLine, job: SubmittedJob): Promise<void> {
    const { journal } = this.state;
    const base = { line: l.line, modelId: l.modelId, requestId: job.requestId };
    const controller = new AbortController();
    this.following.set(l.line, controller);
    if (this.stopped) controller.abort();
    this.setPhase(l.line, "queued");
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          const r = await waitForJob(this.ctx, job, {
            signal: controller.signal,
            includeCost: true,
            pollIntervalMs: this.options.pollIntervalMs,
            maxPollIntervalMs: this.options.maxPollIntervalMs,
            onStatus: (u) => this.setPhase(l.line, u.status === "in_queue" ? "queued" : "running"),
          });
          await journal.append({
            line: l.line,
            state: "completed",
            requestId: job.requestId,
            output: r.output,
            ...(r.cost === undefined ? {} : { cost: r.cost }),
          });
          if (r.cost !== undefined) {
            this.committedUsd += r.cost - this.state.costOfLine(l.line);
            this.reportedUsd += r.cost;
            this.state.reported.set(l.line, r.cost);
          }
          return this.finish(
            l,
            { ...base, status: "completed", output: r.output, ...(r.cost === undefined ? {} : { cost: r.cost }) },
            true,
          );
        } catch (e) {
          if (e instanceof JobCancelledError) {
            await journal.append({ line: l.line, state: "cancelled", requestId: job.requestId });
            return this.finish(l, { ...base, status: "cancelled", error: errorOf(e) }, true);
          }
          if (e instanceof JobFailedError || e instanceof NotFoundError) {
            const error = errorOf(e);
            await journal.append({ line: l.line, state: "failed", requestId: job.requestId, error });
            return this.finish(l, { ...base, status: "failed", error }, true);
          }
          if (controller.signal.aborted) return this.stopWaiting(l, job, e);
          // Polls that failed past the client's retries: the job exists; try again a few times, then leave it to a resume.
          if (attempt >= 2) return this.stillRunning(l, job.requestId, errorOf(e));
          await sleep(backoffDelay(attempt, 1000, 30_000), controller.signal, () => new AbortedError("stopped")).catch(
            () => undefined,
          );
        }
      }
    } finally {
      this.following.delete(l.line);
    }
  }

  /**
   * The batch stopped while waiting: a queued job is cancelled (not billed); a running one is left
   * running. The abort already asked the service to cancel (its answer is on the AbortedError); when
   * that request failed, it is asked once more.
   */
  private async stopWaiting(l: BatchLine, job: SubmittedJob, stopped: unknown): Promise<void> {
    const answer =
      (stopped instanceof AbortedError ? stopped.cancel : undefined) ??
      (await cancel(this.ctx, job).catch(() => undefined));
    if (answer?.cancelled) {
      await this.state.journal.append({ line: l.line, state: "cancelled", requestId: job.requestId });
      return this.finish(l, {
        line: l.line,
        modelId: l.modelId,
        requestId: job.requestId,
        status: "cancelled",
        error: { type: "Stopped", message: "cancelled while queued: the batch was stopped" },
      });
    }
    return this.stillRunning(l, job.requestId);
  }

  private stillRunning(l: BatchLine, requestId: string, error?: BatchError): void {
    this.finish(l, {
      line: l.line,
      modelId: l.modelId,
      requestId,
      status: "running",
      error: error ?? {
        type: "Stopped",
        message:
          "submitted and not finished when the batch stopped: it keeps running and is billed; a resume collects its result",
      },
    });
  }

  private finish(l: BatchLine, result: BatchResult, finishedNow = false): void {
    if (finishedNow) this.finishedThisRun++;
    this.ended.add(l.line);
    this.move(l.line, result.status);
    this.results.get(l.line)!.resolve(result);
    this.progress();
  }

  private setPhase(line: number, phase: Phase): void {
    if (this.phases.get(line) === phase) return;
    this.move(line, phase);
    this.progress();
  }

  private move(line: number, phase: Phase): void {
    const from = this.phases.get(line)!;
    this.counts.set(from, (this.counts.get(from) ?? 0) - 1);
    this.counts.set(phase, (this.counts.get(phase) ?? 0) + 1);
    this.phases.set(line, phase);
  }

  private progress(): void {
    if (!this.options.onProgress) return;
    const n = (phase: Phase) => this.counts.get(phase) ?? 0;
    this.options.onProgress({
      total: this.lines.length,
      completed: n("completed"),
      failed: n("failed"),
      cancelled: n("cancelled"),
      unknown: n("unknown"),
      invalid: n("invalid"),
      waiting: n("waiting") + n("not_submitted"),
      submitting: n("submitting"),
      queued: n("queued"),
      running: n("running"),
      costUsd: Number(this.reportedUsd.toFixed(10)),
      finishedThisRun: this.finishedThisRun,
      ...(this.stopped ? { stopping: this.stopped } : {}),
    });
  }
}

const issuesText = (issues: ValidationIssue[]) => issues.map((i) => `${i.path || "/"} ${i.message}`).join("; ");
