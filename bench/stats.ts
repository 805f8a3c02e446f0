/** Small helpers for the benchmark: medians, child-process measurements, table output. */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs one of the bench's child scripts in a fresh Node process; it prints one JSON line. */
export function child<T>(script: string, args: string[]): T {
  const out = execFileSync(process.execPath, [path.join(BENCH_DIR, script), ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(out.trim().split("\n").pop()!) as T;
}

/**
 * Operations per second of `fn` over about `ms` milliseconds after a warm-up, per second of this
 * process's CPU time (user + system, all its threads: the collector's included) and per second of
 * wall time. On a shared machine the wall figure also counts the time the process waited for a core.
 */
export function opsPerSecond(fn: () => unknown, ms = 400): { cpu: number; wall: number } {
  for (let i = 0; i < 200; i++) fn();
  let n = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 100; i++) fn();
    n += 100;
    now = performance.now();
  }
  const used = process.cpuUsage(cpu);
  return { cpu: (n * 1e6) / (used.user + used.system), wall: (n * 1000) / (now - start) };
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface Row {
  section: string;
  metric: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  met: "yes" | "no" | "—";
}

export function table(rows: Row[]): string {
  const header =
    "| section | metric | ours | baseline | ratio | target | met |\n| --- | --- | --- | --- | --- | --- | --- |";
  return [
    header,
    ...rows.map(
      (r) => `| ${r.section} | ${r.metric} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.met} |`,
    ),
  ].join("\n");
}
