/**
 * `generate --watch`: regenerates on every change in the schemas folder until SIGINT/SIGTERM, and
 * says which stopped it (Ctrl-C exits 130, as the exit-code table says). A run
 * that fails (a bad file) prints its problems like any run and writes nothing, so the last good
 * output stays; the next change tries again. chokidar watches (new sub-folders included) and says
 * when it is ready, so "watching" is printed only once a change would be seen.
 */
import { watch } from "chokidar";
import { describeFailure, formatFailure } from "./failure.js";
import { EXIT, type CliIo } from "./context.js";

/** Changes closer together than this are one regeneration (editors write a file in several steps). */
const SETTLE_MS = 100;

export async function watchAndRegenerate(
  schemasDir: string,
  regenerate: () => Promise<void>,
  io: CliIo,
): Promise<NodeJS.Signals | undefined> {
  const runSafely = async () => {
    try {
      await regenerate();
    } catch (e) {
      const failure = describeFailure(e);
      if (failure.exitCode === EXIT.internal) throw e;
      io.stderr(`${formatFailure(failure, e)}the last good output is kept; waiting for changes\n`);
    }
  };
  await runSafely();
  return new Promise<NodeJS.Signals | undefined>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: Promise<void> = Promise.resolve();
    let pending = false;
    const finish = (error?: unknown, signal?: NodeJS.Signals) => {
      clearTimeout(timer);
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      // Let a run in progress end (its output is written atomically either way).
      void Promise.all([watcher.close(), running.catch(() => undefined)]).finally(() =>
        error === undefined ? resolve(signal) : reject(error),
      );
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        // One run at a time; changes during a run make one more run after it.
        if (pending) return;
        pending = true;
        running = running.then(() => ((pending = false), runSafely())).catch(finish);
      }, SETTLE_MS);
    };
    const onSignal = (signal: NodeJS.Signals) => finish(undefined, signal);
    const watcher = watch(schemasDir, { ignoreInitial: true });
    watcher.on("all", schedule);
    watcher.on("error", finish);
    watcher.on("ready", () => io.stderr(`watching ${schemasDir} (Ctrl-C stops)\n`));
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
