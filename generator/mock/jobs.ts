/**
 * The emulator's jobs and their clock: a job's status is read from the time since its submit (queue,
 * an optional extra phase, run, then its end status), so nothing has to tick.
 */
import { randomUUID } from "node:crypto";
import type { EmulatorOptions } from "./emulator.js";
import type { EndStatus } from "./end-status.js";

export interface Job {
  id: string;
  modelId: string;
  input: unknown;
  createdAt: number;
  queueMs: number;
  runMs: number;
  cancelledAt?: number;
  /** The status the job ends in once it has run. */
  end: EndStatus;
}

type Timing = Pick<EmulatorOptions, "queueMs" | "runMs" | "extraPhase" | "failRate" | "endStatus">;

const pick = (v: number | [number, number], r: () => number) =>
  Array.isArray(v) ? Math.round(v[0] + (v[1] - v[0]) * r()) : v;

export class JobBook {
  private readonly jobs = new Map<string, Job>();
  /** Jobs made per model and input (canonical JSON): a client that submits one input twice shows here. */
  private readonly perInput = new Map<string, { modelId: string; input: unknown; count: number }>();

  constructor(
    private readonly timing: Timing,
    private readonly random: () => number,
  ) {}

  /** A new job, queued now; `asked` (a submit's header) overrides the status it ends in. */
  create(modelId: string, input: unknown, now: number, asked?: EndStatus): Job {
    const { timing, random } = this;
    const id = randomUUID();
    const end: EndStatus = asked ?? (random() < (timing.failRate ?? 0) ? "failed" : (timing.endStatus ?? "completed"));
    const job: Job = {
      id,
      modelId,
      input,
      createdAt: now,
      queueMs: pick(timing.queueMs ?? 300, random),
      runMs: pick(timing.runMs ?? 700, random),
      end,
    };
    this.jobs.set(id, job);
    const key = JSON.stringify([modelId, input]);
    const seen = this.perInput.get(key);
    if (seen) seen.count++;
    else this.perInput.set(key, { modelId, input, count: 1 });
    return job;
  }

  /** How many jobs each distinct input made, in the order the inputs first came. */
  submissionsPerInput(): { modelId: string; input: unknown; count: number }[] {
    return [...this.perInput.values()].map((e) => ({ ...e }));
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Every job, in the order they were submitted. */
  all(): Job[] {
    return [...this.jobs.values()];
  }

  statusOf(job: Job, now = Date.now()): string {
    if (job.cancelledAt !== undefined) return "cancelled";
    if (now < job.createdAt + job.queueMs) return "in_queue";
    const extra = this.timing.extraPhase;
    if (extra && now < job.createdAt + job.queueMs + extra.ms) return extra.status;
    if (now < job.createdAt + job.queueMs + (extra?.ms ?? 0) + job.runMs) return "in_progress";
    return job.end;
  }

  /** 1 for the next queued job to run. */
  queuePosition(job: Job, now: number): number {
    return (
      1 +
      this.all().filter((j) => j !== job && j.createdAt <= job.createdAt && this.statusOf(j, now) === "in_queue").length
    );
  }

  /** When the job finishes (or finished) running. */
  finishedAt(job: Job): number {
    return job.createdAt + job.queueMs + (this.timing.extraPhase?.ms ?? 0) + job.runMs;
  }

  countByStatus(): Record<string, number> {
    const byStatus: Record<string, number> = {};
    for (const j of this.jobs.values()) byStatus[this.statusOf(j)] = (byStatus[this.statusOf(j)] ?? 0) + 1;
    return byStatus;
  }
}
