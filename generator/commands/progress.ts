/**
 * The progress of `run` and `result --wait` on stderr. In a terminal: one live line — spinner, status, queue position, a
 * ticking elapsed time and the request id — redrawn on a timer so it never looks hung. In a pipe or
 * a log: plain lines, one per change, with no control characters.
 */
import type { CliIo } from "./context.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const REDRAW_MS = 100;

export interface ProgressOptions {
  /** A terminal that understands `\r` and erase-line (not a pipe, not TERM=dumb). */
  live: boolean;
  now?: () => number;
}

export class RunProgress {
  private requestId?: string;
  private status = "submitting";
  private queuePosition?: number;
  private frame = 0;
  private timer?: ReturnType<typeof setInterval>;
  private lastPlain = "";
  private readonly started: number;
  private readonly now: () => number;

  constructor(
    private readonly io: CliIo,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    if (options.live) {
      this.timer = setInterval(() => this.draw(), REDRAW_MS);
      this.timer.unref?.();
      this.draw();
    }
  }

  /** The job is queued or running: its request id is part of every line from now on. */
  submitted(requestId: string): void {
    this.requestId = requestId;
    this.status = "submitted";
    if (this.options.live) this.draw();
    else this.plain(`submitted ${requestId}`);
  }

  /** Waiting for a job submitted earlier (`result --wait`): its request id is part of every line. */
  following(requestId: string): void {
    this.requestId = requestId;
    this.status = "waiting";
    if (this.options.live) this.draw();
    else this.plain(`waiting for ${requestId}`);
  }

  update(status: string, queuePosition?: number): void {
    this.status = status;
    this.queuePosition = queuePosition;
    if (this.options.live) this.draw();
    else
      this.plain(
        `${status}${queuePosition !== undefined ? ` (queue position ${queuePosition})` : ""}, ${this.elapsed()} s`,
      );
  }

  /** Prints a message on its own line (the live line is redrawn after it). */
  message(text: string): void {
    if (this.options.live) this.eraseLine();
    this.io.stderr(`${text}\n`);
    if (this.options.live && this.timer) this.draw();
  }

  /** Ends the live line (leaves its last state visible) and stops the timer. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.draw(false);
    this.io.stderr("\n");
  }

  get elapsedMs(): number {
    return this.now() - this.started;
  }

  private elapsed(): string {
    return (this.elapsedMs / 1000).toFixed(1);
  }

  private draw(spinning = true): void {
    const spinner = spinning ? FRAMES[this.frame++ % FRAMES.length] : "•";
    const queue = this.queuePosition !== undefined ? ` · queue position ${this.queuePosition}` : "";
    const id = this.requestId ? ` · request ${this.requestId}` : "";
    this.eraseLine();
    this.io.stderr(`${spinner} ${this.status}${queue} · ${this.elapsed()} s${id}`);
  }

  /** The one control sequence progress writes itself; status and request id are the server's text, escaped by io. */
  private eraseLine(): void {
    (this.io.control?.stderr ?? this.io.stderr)("\r\x1b[2K");
  }

  private plain(line: string): void {
    if (line !== this.lastPlain) this.io.stderr(`${line}\n`);
    this.lastPlain = line;
  }
}
