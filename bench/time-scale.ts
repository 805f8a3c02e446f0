// Preloaded (`node --import`) into a measured process: its clock runs BENCH_TIME_SCALE times faster.
// Timers wait 1/scale of their delay and Date.now advances scale ms per real ms, so a client's plan
// (intervals, elapsed times) runs unchanged, compressed like the emulator's job durations. Node's own
// internals (sockets, HTTP) keep real time.
const scale = Number(process.env.BENCH_TIME_SCALE ?? 1);
if (Number.isFinite(scale) && scale > 1) {
  const realNow = Date.now;
  const t0 = realNow();
  Date.now = () => t0 + (realNow() - t0) * scale;
  const { setTimeout: realSetTimeout, setInterval: realSetInterval } = globalThis;
  const shrink = (ms: unknown) => (typeof ms === "number" && ms > 0 ? ms / scale : ms);
  globalThis.setTimeout = ((fn: () => void, ms?: number, ...args: unknown[]) =>
    realSetTimeout(fn, shrink(ms) as number, ...args)) as typeof setTimeout;
  globalThis.setInterval = ((fn: () => void, ms?: number, ...args: unknown[]) =>
    realSetInterval(fn, shrink(ms) as number, ...args)) as typeof setInterval;
  const realTimeout = AbortSignal.timeout.bind(AbortSignal);
  AbortSignal.timeout = (ms: number) => realTimeout(shrink(ms) as number);
}
