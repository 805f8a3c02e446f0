/**
 * For each target a run did not meet, why — with the measurement that shows it. The reasons are
 * written from measured runs (bench/stages.ts, the rows themselves); a miss with no reason here says so.
 */
import type { Row } from "./stats.js";

const REASONS: [section: string, metric: RegExp, why: string][] = [
  [
    "generate",
    /^cold, N = 1,000, whole process/,
    `the generator does more per model than the baseline, and on this 2-core machine no thread layout
  reaches both ratios. \`node dist/bench/stages.js 300\` (CPU per corpus model, one thread, 27 Nov
  18:31, load 4): load, normalize and the lint checks 4.8 ms with ajv's compile of the input
  validator (the example check runs the model's own validator, which emit then prints: one compile a
  model; the baseline runs none of the checks), json-schema-to-typescript 2.3 ms, compaction 1.4 ms,
  esbuild's formatting ~0.4 ms on Node's side and ~1.4 ms in its service (validators printed in
  batches), the whole model 9.1 ms against the baseline's 16.9 ms; writing (three output files and two
  cache entries a model) and start-up come on top. On one thread a cold run of 1,000 takes ~12-13 s
  CPU against the baseline's ~15-17 s, and wall time follows CPU. A worker thread on the second core
  (emit/model-worker.ts, whole models) costs about a quarter more CPU in all (its own module loading,
  compiled code and heap: cold 300, 5 interleaved pairs, 4.6 -> 5.9 s), so it could at best bring
  the wall time near 0.6x of one thread while the CPU ratio falls to ~1.05x; on this shared machine
  (load 8-11) it gave no wall time back, so workers start only on cores the load average shows idle.
  2x CPU needs ~8 ms a model all in (start-up and writing included) and 3x wall ~5 s for 1,000, on
  two cores ~10 ms of CPU a model split perfectly, less the second thread's own quarter: the types
  (2.3 ms) and the validator (compile, compaction, formatting: ~4.5 ms) already take ~7 ms, before
  parsing, normalizing, the checks and writing.`,
  ],
  [
    "probe",
    /Range honoured|no Range/,
    `compare ours with the floor in the same row (what any client must spend: the link's round trips and
  the bytes before the header). For a common image both probes need one round trip after the
  connection's own and sit within a few milliseconds of the floor; the interval says whether the
  difference is more than this machine's noise. Without Range the server writes the whole file into
  its socket buffers whatever the client does, so no client writes fewer there. With Range, a jump
  (the 1 MB ICC profile) costs one more request on the kept-alive connection after the rest of the
  first 64 KiB window is read (cheaper here than a new connection's round trip); the first window is
  that large so that a camera photo's EXIF is read in one round trip.`,
  ],
  [
    "validate",
    /input \(ops per CPU second/,
    `both sides run ajv's generated checks with the same format functions; the precompiled one is ajv's
  code compacted (schemaPath dropped, schema constants inlined, \`Number.isInteger\`), error objects
  written at each site as ajv writes them. Compare the ratio with the "ajv vs ajv" figure of the same
  row: two identical functions measured the same way; rows whose work is \`new URL\` (the media
  formats) spread most. A row below 0.95× by more than that spread is a regression to look into.`,
  ],
  [
    "generate",
    /incremental, 1 of 1,000/,
    `the CLI's start-up alone is most of the budget: \`node dist/generator/cli.js --version\` takes
  0.38–0.73 s wall and 0.35–0.40 s CPU here (its imports: yargs and every command's modules, loaded
  before any work; a bare \`node -e ""\` is ~0.04 s). The rest of an incremental run at 1,000 is a stat
  of 3,000 outputs and 1,000 schema files against the manifests, one read of the run index, the
  package-wide files rendered again, and one model emitted (which loads json-schema-to-typescript,
  ajv and esbuild). Loading each command's modules only when that command runs (generator/cli.ts,
  the cli engineer's) is what would bring it under 0.5 s.`,
  ],
  [
    "generate",
    /1 of 10,000 changed|no change, 10,000/,
    `besides the CLI's ~0.4 s of start-up (see the 1,000 row), the work of a run that emits nothing grows
  with N: 0.63 s at 1,000 models and 2.0 s at 10,000 in the run before this one, ~0.15 ms per model —
  a stat of its 3 outputs and its schema file, its entries in the run index and the two manifests
  (JSON of 40,000 entries read and, when anything changed, written), and its lines in the
  package-wide files (types map, loader shards, docs index) rendered and hashed again. Not profiled
  further in this session; the next step is to render the package-wide files per shard so an
  unchanged shard is not rendered again.`,
  ],
  [
    "generate",
    /peak RSS, cold N = 10,000/,
    `not met, and not explained yet. Measured: the live heap after a collection at the end of a cold run
  of 1,000 models is 53 MB (in-process, \`process.memoryUsage()\` after \`gc()\`), down from 111 MB
  before the lint checks' Ajv leak was fixed (\`test/lint/checks-memory.test.ts\`); peak RSS was 357 MB
  at 1,000 and 884 MB at 10,000 in the run before this one, so something still grows with N, in the
  main thread or the validator thread, or it is heap V8 has not collected (capping the main thread's
  heap from inside the process with \`v8.setFlagsFromString\` had no effect; a worker
  \`resourceLimits\` cap was not measured at 10,000). Finding it needs a heap snapshot of a
  10,000-model run.`,
  ],
  [
    "import",
    /root \+ one model/,
    `the root entry and one model load the same modules at every N (package.json, index.js, the runtime,
  loaders.js, one loader shard of ~128 ids, the model); what grows with N is the file system's
  directory lookups and the page cache, and a few milliseconds of difference are within the noise of
  a fresh process on this loaded machine.`,
  ],
  [
    "client",
    /requests per job|completion/,
    `the client's polling is the client engineer's (generator/runtime/client.ts); against fixed 2 s
  polling it starts at 0.3 s and grows 1.5× per poll to a 2 s cap, so it spends more requests on
  jobs of a few seconds to return them sooner, and for long jobs it polls as often as fixed polling.
  Fewer requests and a lower median delay together need the hints of issue 15 (the model's observed
  running time, the queue position) in the polling interval. With time compressed 10×, each
  request's own overhead on loopback counts 10× in the delay column, on both sides.`,
  ],
];

export function explainMisses(rows: Row[]): string {
  const missed = rows.filter((r) => r.met === "no");
  if (!missed.length) return "Every target with a target column was met in this run.\n";
  const lines = missed.map((r) => {
    const reason = REASONS.find(([section, metric]) => section === r.section && metric.test(r.metric));
    return `- **${r.section}: ${r.metric}** — ${reason ? reason[2] : "not met in this run; no explanation recorded for it."}`;
  });
  return `Targets not met in this run, and why:\n${lines.join("\n")}\n`;
}
