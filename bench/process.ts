/**
 * Whole-process measurements: wall time from spawn to exit (the user's wait, Node's start-up and
 * every import included), CPU time of the process and every child it waited for (esbuild's service
 * included) from the kernel's accounting of reaped children, and peak RSS of the Node process.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_DIR } from "./stats.js";

export interface ProcessRun {
  wallMs: number;
  cpuMs: number;
  maxRssMB: number;
  stdout: string;
}

/** User + system CPU of this process's reaped children, ms (/proc/self/stat fields 16 and 17, in clock ticks of 10 ms). */
function childrenCpuMs(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

export function runProcess(
  args: string[],
  options: {
    cwd?: string;
    env?: Record<string, string> /** The exit code the run should end with. */;
    status?: number;
  } = {},
): ProcessRun {
  const usageFile = path.join(tmpdir(), `rcg-bench-usage-${process.pid}.jsonl`);
  rmSync(usageFile, { force: true });
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    ["--import", pathToFileURL(path.join(BENCH_DIR, "usage-report.js")).href, ...args],
    {
      cwd: options.cwd,
      env: { ...process.env, ...options.env, BENCH_USAGE_FILE: usageFile },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallMs = performance.now() - t0;
  const cpuMs = childrenCpuMs() - cpu0;
  if (r.status !== (options.status ?? 0))
    throw new Error(`${args.join(" ")} failed (${r.status ?? r.signal}):\n${r.stderr}`);
  let maxRssMB = 0;
  try {
    maxRssMB = Math.max(
      ...readFileSync(usageFile, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).maxRssMB as number),
    );
  } catch {
    // No report (the process replaced its exit): RSS unknown.
  }
  rmSync(usageFile, { force: true });
  return { wallMs, cpuMs, maxRssMB, stdout: r.stdout };
}
