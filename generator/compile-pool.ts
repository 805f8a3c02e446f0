/**
 * compileModel (compile.ts) on the main thread or on worker threads: a cold run of many models keeps
 * both cores busy with whole models (each input schema is compiled by ajv once, in the thread that
 * lints and emits it), while the main thread also reads the files and writes what comes back. Workers
 * run only from the built JavaScript; a model gives the same files on either thread
 * (test/compile-pool.test.ts).
 */
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import { compileModel, type CompileOptions } from "./compile.js";
import type { SchemaText } from "./load/load.js";
import type { ModelSummary } from "./model/model.js";
import { SchemaFileError } from "./shared/errors.js";

/** What crosses back from a compile: the files and summary when the model has no error, and its errors. */
export interface CompileOutcome {
  summary?: ModelSummary;
  files?: [path: string, content: string][];
  errors: SchemaFileError[];
}

/** compileModel's result as the pool hands it back (the model itself stays in the thread that built it). */
async function compileOutcome(text: SchemaText, options: CompileOptions): Promise<CompileOutcome> {
  const { summary, files, errors } = await compileModel(text, options);
  return { summary, files, errors };
}

type ErrorFields = Pick<SchemaFileError, "file" | "pointer" | "detail" | "ruleId" | "position">;
interface Job {
  id: number;
  text: SchemaText;
  options: CompileOptions;
}
type Reply =
  | { id: number; ok: true; value: Omit<CompileOutcome, "errors"> & { errors: ErrorFields[] } }
  | { id: number; ok: false; message: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", (job: Job) => {
    compileOutcome(job.text, job.options).then(
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
  resolve: (v: CompileOutcome) => void;
  reject: (e: Error) => void;
}

/**
 * Compiles models on the main thread and on `threads` workers: a model goes to a worker with room,
 * else it is compiled here. The main thread, which also writes every model's files, so takes what the
 * workers cannot.
 */
export class CompilePool {
  private readonly workers: { worker: Worker; pending: Map<number, Pending> }[] = [];
  private next = 0;

  constructor(
    private readonly options: CompileOptions,
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
        if (!reply.ok) return p.reject(new Error(`compile worker: ${reply.message}`));
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

  compile(text: SchemaText): Promise<CompileOutcome> {
    const free = this.workers
      .filter((w) => w.pending.size < IN_FLIGHT_PER_WORKER)
      .sort((a, b) => a.pending.size - b.pending.size)[0];
    // A file that could not be read carries its load error (a class instance): it is reported from here.
    if (!free || text.error) return compileOutcome(text, this.options);
    const id = this.next++;
    return new Promise((resolve, reject) => {
      free.pending.set(id, { resolve, reject });
      free.worker.ref();
      free.worker.postMessage({ id, text, options: this.options } satisfies Job);
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
