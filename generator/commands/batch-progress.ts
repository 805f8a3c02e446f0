/**
 * `batch`'s progress on stderr. In a terminal: one live line (done, failed, running, queued, waiting,
 * cost so far, ETA) redrawn on a timer. In a pipe or a log: a plain line at every tenth of the lines
 * finished, and when the batch stops submitting.
 */
import type { BatchProgress } from "../runtime/batch/batch.js";
import type { CliIo } from "./context.js";

const REDRAW_MS = 200;

const duration = (ms: number) => {
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m ${s % 60}s`
      : `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
};

export const usd = (amount: number) => `$${Number(amount.toFixed(4))}`;

/** Lines that have ended (in this run or an earlier one). */
export const endedOf = (p: BatchProgress) => p.completed + p.failed + p.cancelled + p.unknown + p.invalid;

export class BatchDisplay {
  private last?: BatchProgress;
  private timer?: ReturnType<typeof setInterval>;
  private tenthsShown = -1;
  private stopShown = false;
  private readonly started: number;

  constructor(
    private readonly io: CliIo,
    private readonly live: boolean,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
    if (live) {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref?.();
    }
  }

  update(p: BatchProgress): void {
    this.last = p;
    if (this.live) return;
    const tenths = Math.floor((10 * endedOf(p)) / Math.max(1, p.total));
    if (tenths > this.tenthsShown) {
      this.tenthsShown = tenths;
      this.io.stderr(`${this.line(p)}\n`);
    }
    if (p.stopping && !this.stopShown) {
      this.stopShown = true;
      this.io.stderr(`stopping: ${p.stopping}\n`);
    }
  }

  /** A message on its own line (the live line is redrawn after it). */
  message(text: string): void {
    if (this.live) this.eraseLine();
    this.io.stderr(`${text}\n`);
    if (this.live && this.timer) this.draw();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.draw();
      this.io.stderr("\n");
    }
  }

  private draw(): void {
    if (!this.last) return;
    this.eraseLine();
    this.io.stderr(this.line(this.last));
  }

  /** The one control sequence the display writes itself; the rest (server text in messages) is escaped by io. */
  private eraseLine(): void {
    (this.io.control?.stderr ?? this.io.stderr)("\r\x1b[2K");
  }

  /** `120/1000 done · 3 failed · 8 running · 2 queued · 867 waiting · $1.20 · 35s · ETA 4m 10s` */
  line(p: BatchProgress): string {
    const elapsed = this.now() - this.started;
    const left = p.total - endedOf(p);
    const eta = p.finishedThisRun > 0 && left > 0 ? ` · ETA ${duration((elapsed / p.finishedThisRun) * left)}` : "";
    const parts = [
      `${p.completed}/${p.total} done`,
      p.failed ? `${p.failed} failed` : "",
      p.cancelled ? `${p.cancelled} cancelled` : "",
      p.unknown ? `${p.unknown} unknown` : "",
      p.invalid ? `${p.invalid} invalid` : "",
      `${p.running} running`,
      `${p.queued + p.submitting} queued`,
      `${p.waiting} waiting`,
      usd(p.costUsd),
    ].filter(Boolean);
    return `${parts.join(" · ")} · ${duration(elapsed)}${eta}`;
  }
}
