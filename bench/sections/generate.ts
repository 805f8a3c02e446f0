/**
 * Generation, whole process (`node dist/generator/cli.js generate`, from spawn to exit): cold at
 * N = 1,000 against json-schema-to-typescript + ajv standalone on the same corpus (format: false as
 * the like-for-like row, default options as a second row), peak RSS cold at N = 10,000, incremental
 * (one schema changed) and no-change runs at 1,000 and 10,000.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { runProcess, type ProcessRun } from "../process.js";
import { BENCH_DIR, fmt, median, type Row } from "../stats.js";

const CLI = path.join(PACKAGE_ROOT, "dist/generator/cli.js");

export interface Corpus {
  n: number;
  dir: string;
  files: string[];
  out: string;
  cache: string;
}

const generateRun = (c: Corpus) =>
  runProcess([CLI, "generate", "--schemas", c.dir, "--out", c.out, "--quiet"], {
    env: { RUNCOMFY_CODEGEN_CACHE_DIR: c.cache },
  });
const cold = (c: Corpus) => {
  rmSync(c.out, { recursive: true, force: true });
  rmSync(c.cache, { recursive: true, force: true });
  return generateRun(c);
};
const s = (ms: number) => `${fmt(ms / 1000, 2)} s`;
const times = (runs: ProcessRun[]) => ({
  wall: median(runs.map((r) => r.wallMs)),
  cpu: median(runs.map((r) => r.cpuMs)),
  rss: Math.max(...runs.map((r) => r.maxRssMB)),
});
/** Average cores busy: CPU time over wall time. */
const cores = (t: { wall: number; cpu: number }) => fmt(t.cpu / t.wall, 1);

/** One schema file changed (a maxLength bumped), so exactly one model is emitted again. */
function touch(file: string) {
  writeFileSync(
    file,
    readFileSync(file, "utf8").replace(/"maxLength": (\d+)/, (_, n) => `"maxLength": ${Number(n) + 1}`),
  );
}

export function benchGenerate(
  c1000: Corpus,
  c10000: Corpus | undefined,
  runs: number,
  log: (s: string) => void,
): Row[] {
  const rows: Row[] = [];
  const ours: ProcessRun[] = [];
  const plain: ProcessRun[] = [];
  const formatted: ProcessRun[] = [];
  const baselineOut = path.join(path.dirname(c1000.out), "baseline");
  const baseline = (format: boolean) => {
    rmSync(baselineOut, { recursive: true, force: true });
    return runProcess([
      path.join(BENCH_DIR, "child-baseline.js"),
      c1000.dir,
      baselineOut,
      format ? "format" : "noformat",
    ]);
  };
  // Interleaved, so a burst of load on the shared machine falls on both sides.
  for (let r = 0; r < runs; r++) {
    log(`generate cold N = 1,000, run ${r + 1}/${runs} (ours, baseline format: false, baseline default)…`);
    ours.push(cold(c1000));
    plain.push(baseline(false));
    // The default-options row (prettier on) is secondary and slow: measured in the first run only.
    if (r === 0) formatted.push(baseline(true));
  }
  const [o, p, f] = [times(ours), times(plain), times(formatted)];
  const met = p.wall / o.wall >= 3 && p.cpu / o.cpu >= 2 ? "yes" : "no";
  rows.push({
    section: "generate",
    metric: "cold, N = 1,000, whole process: wall / CPU (cores busy)",
    ours: `${s(o.wall)} / ${s(o.cpu)} (${cores(o)})`,
    baseline: `${s(p.wall)} / ${s(p.cpu)} (${cores(p)}); json-schema-to-typescript format: false + ajv standalone`,
    ratio: `${fmt(p.wall / o.wall, 2)}× wall, ${fmt(p.cpu / o.cpu, 2)}× CPU`,
    target: "≥ 3× wall and ≥ 2× CPU",
    met,
  });
  rows.push({
    section: "generate",
    metric: "cold, N = 1,000, against json-schema-to-typescript's default options (prettier on; one run)",
    ours: `${s(o.wall)} / ${s(o.cpu)}`,
    baseline: `${s(f.wall)} / ${s(f.cpu)} (${cores(f)})`,
    ratio: `${fmt(f.wall / o.wall, 2)}× wall, ${fmt(f.cpu / o.cpu, 2)}× CPU`,
    target: "",
    met: "—",
  });
  rows.push({
    section: "generate",
    metric: "peak RSS, cold N = 1,000",
    ours: `${fmt(o.rss)} MB`,
    baseline: `${fmt(p.rss)} MB`,
    ratio: "",
    target: "",
    met: "—",
  });

  const incremental = (c: Corpus, label: string, target: number) => {
    const changed: ProcessRun[] = [];
    const unchanged: ProcessRun[] = [];
    for (let r = 0; r < runs; r++) {
      log(`generate incremental N = ${fmt(c.n)}, run ${r + 1}/${runs}…`);
      touch(c.files[(r * 97 + 13) % c.files.length]);
      changed.push(generateRun(c));
      unchanged.push(generateRun(c));
    }
    const [ch, un] = [times(changed), times(unchanged)];
    rows.push({
      section: "generate",
      metric: `incremental, 1 of ${label} changed, whole process: wall / CPU`,
      ours: `${s(ch.wall)} / ${s(ch.cpu)}`,
      baseline: c === c1000 ? `${s(p.wall)} (regenerates all)` : "",
      ratio: c === c1000 ? `${fmt(p.wall / ch.wall, 0)}×` : "",
      target: `≤ ${fmt(target / 1000, 1)} s`,
      met: ch.wall <= target ? "yes" : "no",
    });
    if (c !== c1000)
      rows.push({
        section: "generate",
        metric: `no change, ${label} models, whole process: wall / CPU`,
        ours: `${s(un.wall)} / ${s(un.cpu)}`,
        baseline: "",
        ratio: "",
        target: "≤ 1.0 s",
        met: un.wall <= 1000 ? "yes" : "no",
      });
    else
      rows.push({
        section: "generate",
        metric: `no change, ${label} models, whole process: wall / CPU`,
        ours: `${s(un.wall)} / ${s(un.cpu)}`,
        baseline: "",
        ratio: "",
        target: "",
        met: "—",
      });
  };
  incremental(c1000, "1,000", 500);
  if (c10000) {
    log("generate cold N = 10,000 (peak RSS)…");
    const big = cold(c10000);
    rows.push({
      section: "generate",
      metric: "peak RSS, cold N = 10,000 (wall / CPU beside)",
      ours: `${fmt(big.maxRssMB)} MB (${s(big.wallMs)} / ${s(big.cpuMs)})`,
      baseline: "",
      ratio: "",
      target: "≤ 300 MB",
      met: big.maxRssMB <= 300 ? "yes" : "no",
    });
    incremental(c10000, "10,000", 1500);
  }
  return rows;
}
