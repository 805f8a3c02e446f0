/**
 * Compacts ajv's standalone code on a second thread, beside the type emitter (formatting is
 * esbuild's, asynchronous, from the main thread). ajv itself runs on the main thread: lint's example
 * check has compiled each input validator there already, and its code is printed from that compile.
 * Used only when the generator runs from its built JavaScript; results are the same as in-process
 * (test/generate.test.ts compares a CLI run with an in-process one byte for byte).
 */
import { Worker, isMainThread, parentPort } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import { compactValidator, compileValidatorCode, type CompactValidator } from "./validator.js";
import type { SchemaNode } from "../normalize/normalize.js";

interface Job {
  id: number;
  /** ajv's standalone code for the input schema. */
  standalone: string;
}
type WorkerValidator = CompactValidator;
type Reply = { id: number; ok: true; value: WorkerValidator } | { id: number; ok: false; message: string };

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on("message", (job: Job) => {
    try {
      const value = compactValidator(job.standalone);
      port.postMessage({ id: job.id, ok: true, value } satisfies Reply);
    } catch (e) {
      port.postMessage({ id: job.id, ok: false, message: (e as Error).message } satisfies Reply);
    }
  });
}

/** A one-worker pool; `close()` ends the thread. */
export class ValidatorWorker {
  private worker: Worker;
  private next = 0;
  private pending = new Map<number, { resolve: (v: WorkerValidator) => void; reject: (e: Error) => void }>();

  constructor() {
    this.worker = new Worker(fileURLToPath(import.meta.url));
    this.worker.unref();
    this.worker.on("message", (reply: Reply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new Error(reply.message));
    });
    this.worker.on("error", (e) => {
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    });
  }

  compile(schema: SchemaNode): Promise<WorkerValidator> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const standalone = compileValidatorCode(schema);
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ id, standalone } satisfies Job);
    }).finally(() => {
      if (!this.pending.size) this.worker.unref();
    }) as Promise<WorkerValidator>;
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Whether a worker can run this module: only as built JavaScript (not from TypeScript source under a test runner). */
export const canUseWorker = () => import.meta.url.endsWith(".js");
