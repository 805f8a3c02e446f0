/**
 * Stages 2–5 for one schema file (normalize, lint, model, emit) as one pure step, run on the main
 * thread or on a worker thread: a cold run of many models keeps both cores busy with whole models
 * (each input schema is compiled by ajv once, in the thread that lints and emits it), while the main
 * thread also reads the files and writes what comes back. Workers run only from the built JavaScript;
 * a model gives the same files on either thread (test/generate.test.ts compares a CLI run with an
 * in-process one byte for byte).
 */
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { analyzeForGenerate } from "../lint/analyze.js";
import type { SchemaText } from "../load/load.js";
import { summarize, type ModelSummary } from "../model/model.js";
import { SchemaFileError } from "../shared/errors.js";
import type { SeverityPolicy } from "../shared/notes.js";
import { emitModelFiles } from "./package.js";

export interface BuildContext {
  schemasDirName: string;
  packageName: string;
  policy: SeverityPolicy;
}

/** One model's outcome: its summary and files when it has no error, and its errors. */
export interface ModelBuild {
  summary?: ModelSummary;
  files?: [path: string, content: string][];
  errors: SchemaFileError[];
}

/** Normalizes, lints, models and emits one schema file's text. */
export async function buildModelFiles(text: SchemaText, ctx: BuildContext): Promise<ModelBuild> {
  const { model, errors } = analyzeForGenerate(text, { schemasDirName: ctx.schemasDirName, strict: ctx.policy });
  if (!model) return { errors };
  try {
    const files = await emitModelFiles(model, { packageName: ctx.packageName });
    return { summary: summarize(model), files: [...files], errors };
  } catch (e) {
    if (!(e instanceof SchemaFileError)) throw e;
    return { errors: [...errors, e] };
  }
}

type ErrorFields = Pick<SchemaFileError, "file" | "pointer" | "detail" | "ruleId" | "position">;
interface Job {
  id: number;
  text: SchemaText;
  ctx: BuildContext;
}
type Reply =
  | { id: number; ok: true; value: Omit<ModelBuild, "errors"> & { errors: ErrorFields[] } }
  | { id: number; ok: false; message: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", (job: Job) => {
    buildModelFiles(job.text, job.ctx).then(
      ({ errors, ...built }) => {
        const fields = errors.map(({ file, pointer, detail, ruleId, position }) => ({
          file,
          pointer,
          detail,
          ruleId,
          position,
        }));
        port.postMessage({ id: job.id, ok: true, value: { ...built, errors: fields } } satisfies Reply);
      },
      (e: Error) => port.postMessage({ id: job.id, ok: false, message: e.stack ?? e.message } satisfies Reply),
    );
  });
}

/** Models one worker holds at once: enough that it never waits for the main thread to hand it the next. */
const IN_FLIGHT_PER_WORKER = 4;

interface Pending {
  resolve: (v: ModelBuild) => void;
  reject: (e: Error) => void;
}

/**
 * Builds models on the main thread and on `threads` workers: a model goes to a worker with room,
 * else it is built here. The main thread, which also writes every model's files, so takes what the
 * workers cannot.
 */
export class ModelBuilder {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private next = 0;

  constructor(
    private readonly ctx: BuildContext,
    threads: number,
  ) {
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(fileURLToPath(import.meta.url));
      const pending = new Map<number, Pending>();
      worker.on("message", (reply: Reply) => {
        const p = pending.get(reply.id);
        if (!p) return;
        pending.delete(reply.id);
        if (!pending.size) worker.unref();
        if (!reply.ok) return p.reject(new Error(`model worker: ${reply.message}`));
        const errors = reply.value.errors.map(
          (e) => new SchemaFileError(e.file, e.pointer, e.detail, e.ruleId, e.position),
        );
        p.resolve({ ...reply.value, errors });
      });
      worker.on("error", (e) => {
        for (const p of pending.values()) p.reject(e);
        pending.clear();
      });
      worker.unref();
      this.workers.push({ worker, pending });
    }
  }

  build(text: SchemaText): Promise<ModelBuild> {
    const free = this.workers
      .filter((w) => w.pending.size < IN_FLIGHT_PER_WORKER)
      .sort((a, b) => a.pending.size - b.pending.size)[0];
    // A file that could not be read carries its load error (a class instance): it is reported from here.
    if (!free || text.error) return buildModelFiles(text, this.ctx);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      free.pending.set(id, { resolve, reject });
      free.worker.ref();
      free.worker.postMessage({ id, text, ctx: this.ctx } satisfies Job);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}

/**
 * Worker threads for a run that builds `models` models: one per core the machine has idle beyond the
 * one the main thread takes (a worker costs a quarter more CPU in all, measured: its own module
 * loading, compiled code and heap, so it pays only where a core would otherwise stay idle), none for
 * a few models (starting a worker costs more than it saves), and none when the generator runs from
 * TypeScript source (under a test runner) rather than built JavaScript. `load` is the 1-minute load
 * average: the cores other processes keep busy.
 */
export function workerThreadsFor(models: number, cores = availableParallelism(), load = loadavg()[0]): number {
  if (models < 20 || !import.meta.url.endsWith(".js")) return 0;
  return Math.max(0, Math.min(cores - 1, Math.round(cores - load) - 1));
}
