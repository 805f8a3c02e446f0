/**
 * When `run` polls next, planned from what the service tells: the queue position while queued (how
 * fast it falls says when the job starts), and, once the job runs, how long this model's jobs ran —
 * recent finished ones, and the ones running now, which have run at least as long as they have so far
 * (a Kaplan–Meier estimate with those as censored observations, an exponential tail beyond the data).
 *
 * Each poll costs a request and saves waiting: the next one comes when the waiting it is expected to
 * save, P(the job finishes in the interval) × half the interval, reaches the cost of a poll
 * (POLL_COST). That is sparse while the job cannot have finished yet, dense around when its model's
 * jobs finish. For a model with no finished run (a fresh process), intervals grow from the shortest
 * to a bound on how late completion is seen. All times are passed in (no clock is read here), so the
 * plan is deterministic to test.
 */

/** How many finished running times are kept per model (the most recent). */
const KEPT_RUNS = 64;
/** Growth of the interval when nothing is known yet (a model never seen, a queue that does not move). */
const GROWTH = 1.5;
/**
 * With no finished run of the model to plan from (every fresh process: a CLI `run`, a serverless
 * call), the longest interval while it runs, in shortest intervals (1 s by default): the poll that
 * sees completion comes at most this late (plus jitter), whatever the job's length. A plan that
 * cannot predict the finish pays for such a bound with one poll per bound's length; run history
 * lets the plan skip the polls where the model's jobs do not finish.
 */
const NO_HISTORY_RUNNING_MAX = 4;
/**
 * With no finished run of the model, the longest interval while queued, in shortest intervals (2 s
 * by default): a job that starts just after a poll is seen running by the next, before one of a few
 * seconds can have finished.
 */
const NO_HISTORY_QUEUED_MAX = 8;
/**
 * What a poll costs, as waiting it must be expected to save, in shortest intervals. Tuned on the
 * bench's mix (images 3–30 s, videos 30–300 s): lower polls more for less waiting.
 */
const POLL_COST = 1 / 16;

export interface PollBounds {
  /** The shortest interval, ms (also the first). */
  minMs: number;
  /** The longest interval, ms. */
  maxMs: number;
}

/** Running times of one model: finished runs (most recent last) and the start times of runs under way. */
interface ModelRuns {
  finished: number[];
  running: Set<{ startedAt: number }>;
}

/** The running times of every model a client has run, shared by its jobs. */
export class RunTimes {
  private readonly models = new Map<string, ModelRuns>();

  /** The runs of `modelId` (created empty on first use). */
  of(modelId: string): ModelRuns {
    let runs = this.models.get(modelId);
    if (!runs) this.models.set(modelId, (runs = { finished: [], running: new Set() }));
    return runs;
  }
}

/** What the plan knows of one job's run so far. */
export class JobPoller {
  private lastPollAt: number;
  private polls = 0;
  private queue: { at: number; position: number }[] = [];
  private run: { startedAt: number } | undefined;

  constructor(
    private readonly runs: ModelRuns,
    private readonly bounds: PollBounds,
    submittedAt: number,
  ) {
    this.lastPollAt = submittedAt;
  }

  /**
   * Records a poll's answer: the job is queued (at a position, when the service says), running, or
   * ended (finished, failed, cancelled: it ended before this poll, which is not a time it ran until).
   */
  observe(now: number, phase: "queued" | "running" | "ended", position?: number): void {
    this.polls++;
    if (phase === "queued") {
      if (position !== undefined) this.queue.push({ at: now, position });
    } else if (!this.run) {
      // It started between the last poll that saw it queued and this one.
      this.run = { startedAt: (this.lastPollAt + now) / 2 };
      this.runs.running.add(this.run);
    }
    if (phase !== "ended") this.lastPollAt = now;
  }

  /**
   * The job finished, seen by the poll at `now`. `serverTotalMs` is how long it took from submit to
   * finish when the service said (its created_at and finished_at); else it finished halfway since
   * the poll before.
   */
  finished(now: number, submittedAt: number, serverTotalMs?: number): void {
    const before = this.lastPollAt;
    if (!this.run) this.observe(now, "ended");
    const run = this.run!;
    const finish =
      serverTotalMs !== undefined && Number.isFinite(serverTotalMs)
        ? Math.min(now, Math.max(before, submittedAt + serverTotalMs))
        : (before + now) / 2;
    this.runs.running.delete(run);
    this.runs.finished.push(Math.max(0, finish - run.startedAt));
    if (this.runs.finished.length > KEPT_RUNS) this.runs.finished.shift();
  }

  /** The job ended otherwise (failed, cancelled, abandoned): it no longer counts as running. */
  dispose(): void {
    if (this.run) this.runs.running.delete(this.run);
  }

  /** The interval before the next poll, ms; `retryAfterMs` (the service's Retry-After) wins when given. */
  nextDelay(now: number, retryAfterMs?: number): number {
    const { minMs, maxMs } = this.bounds;
    if (retryAfterMs !== undefined) return Math.max(minMs, retryAfterMs);
    const planned = this.run ? this.runningDelay(now) : this.queuedDelay();
    const noHistoryMax = minMs * (this.run ? NO_HISTORY_RUNNING_MAX : NO_HISTORY_QUEUED_MAX);
    const max = this.runs.finished.length === 0 ? Math.min(maxMs, noHistoryMax) : maxMs;
    return Math.min(max, Math.max(minMs, planned));
  }

  private growth(): number {
    return this.bounds.minMs * GROWTH ** Math.max(0, this.polls - 1);
  }

  /** While queued: half the expected wait at the rate the position has been falling, else growing intervals. */
  private queuedDelay(): number {
    const first = this.queue[0];
    const last = this.queue[this.queue.length - 1];
    if (!first || last.at <= first.at || last.position >= first.position) return this.growth();
    const perMs = (first.position - last.position) / (last.at - first.at);
    return last.position / perMs / 2;
  }

  /** While running: the largest interval whose expected saving stays within the cost of a poll. */
  private runningDelay(now: number): number {
    const { minMs, maxMs } = this.bounds;
    if (this.runs.finished.length === 0) return this.growth();
    const elapsed = now - this.run!.startedAt;
    const survival = survivalAfter(this.runs, elapsed, now);
    const costMs = minMs * POLL_COST;
    const worth = (d: number) => (1 - survival(elapsed + d)) * (d / 2) <= costMs;
    if (worth(maxMs)) return maxMs;
    let lo = minMs;
    let hi = maxMs;
    while (hi - lo > minMs / 8) {
      const mid = (lo + hi) / 2;
      if (worth(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }
}

/**
 * P(T > u | T > t) for this model's running time T, as a function of u: Kaplan–Meier over the finished
 * runs, with the runs under way as censored at their elapsed time; past the last observation, an
 * exponential tail at the rate seen over the last quarter of the data.
 */
export function survivalAfter(runs: ModelRuns, t: number, now: number): (u: number) => number {
  const events = [...runs.finished].sort((a, b) => a - b);
  const censored = [...runs.running].map((r) => Math.max(0, now - r.startedAt)).sort((a, b) => a - b);
  const atRisk = (x: number) => events.length - lowerBound(events, x) + censored.length - lowerBound(censored, x);
  const last = Math.max(events[events.length - 1] ?? 0, censored[censored.length - 1] ?? 0, t);
  const tail = tailRate(events, censored, last);
  return (u: number) => {
    let s = 1;
    for (let i = upperBound(events, t); i < events.length && events[i] <= Math.min(u, last); i++)
      s *= 1 - 1 / Math.max(1, atRisk(events[i]));
    return u > last ? s * Math.exp(-tail * (u - Math.max(t, last))) : s;
  };
}

/**
 * Finished runs per ms of running observed over the last quarter of the data, counting one finish
 * more than seen: with few runs seen, the rate leans high (polls denser) rather than low.
 */
function tailRate(events: number[], censored: number[], last: number): number {
  const from = last * 0.75;
  const exposure = [...events, ...censored].reduce((sum, x) => sum + Math.max(0, Math.min(x, last) - from), 0);
  const recent = events.length - lowerBound(events, from);
  return exposure > 0 ? (recent + 1) / exposure : 0;
}

/** Index of the first element ≥ x in a sorted array. */
function lowerBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element > x in a sorted array. */
function upperBound(sorted: number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
