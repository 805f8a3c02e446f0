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
  (compile-pool.ts, whole models) costs about a quarter more CPU in all (its own module loading,
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
    /whose header gives no size.*Range honoured/,
    `the round trip the 2-request bound leaves. The profile's own header gives no size, so its 16
  segments are walked: after the first 64 KiB window the probe asks one open-ended range from the
  first byte past it and streams to the frame header (2 requests; before, one 16 KiB window per
  segment: 17 requests, and against a 65 s keep-alive the deadline). probe-image-size streams the
  whole file from its one request, so it reaches the frame header one round trip earlier (the
  difference in the row, against the link's 50 ms round trip). Bytes: both sides have the server
  write the whole file into its socket buffers before the cancel reaches it (no Range bound helps
  once the header lies behind a megabyte of unsized segments); ours adds the second answer's
  headers. A first request that is open-ended would win this row and lose the bytes of every common
  image (the server then writes the whole file for each, as it does for probe-image-size).`,
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
  that large so that a camera photo's EXIF is read in one round trip. That second request is
  open-ended (so that no header, however far in, costs a third), and the server writes what its
  socket buffers take before the cancel reaches it: about the rest of the file on this link, still
  fewer bytes than probe-image-size's whole file.`,
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
    `at the limit, and the part that is left is the one model's emit. Start-up is cheap now (each
  command loads its modules when it runs: \`node dist/generator/cli.js --version\` 0.12 s CPU / 0.15 s
  wall, medians of 15, 27 Nov); a run that changes nothing at 1,000 models takes 0.28 s wall / 0.38 s
  CPU in this same bench. The one changed model adds ~0.2 s: the emit stages are loaded for it
  (ajv, json-schema-to-typescript — which imports prettier even with \`format: false\` —, Handlebars,
  esbuild's service), ~0.15–0.2 s CPU by \`--cpu-prof\`, before its few milliseconds of work. Loading
  less for one model (prettier is never run) is the next step.`,
  ],
  [
    "generate",
    /1 of 10,000 changed|no change, 10,000/,
    `a run that emits nothing still visits every model: \`--cpu-prof\` of a no-change run at 10,000
  (27 Nov): ~190 ms of stats (30,000 output files, 10,000 schema files and their folders; kept so a
  hand-edited output file is noticed and restored), ~176 ms of garbage collection and ~124 ms of
  parsing the run index (mostly each model's normalization notes, which generate returns and the
  severity policy reads), on ~0.2 s of fixed start-up and package-wide work.`,
  ],
  [
    "generate",
    /peak RSS, cold N = 10,000/,
    `what a cold run keeps per model is its summary and the hashes of its files; measured (27 Nov, heap
  snapshot and \`--trace-gc\`), peak RSS grew when a summary held a slice of its whole schema file (the
  parser's strings) and when V8 let the heap grow to ~4× the live set; both are fixed (the summary is
  copied, \`generate\` sets V8's heap growth to 30%). A worker thread adds its own heap (~70 MB at
  3,000 models): a run on an idle machine starts one.`,
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
    /^fresh process/,
    `a client that cannot predict when a job ends sees it end, on average, half an interval late, and
  90 % of jobs within 0.9 of an interval (the end falls anywhere in the interval). At most 1.0 s at
  p90 needs an interval of about 1.1 s wherever the job may end, which with no run history is all
  along: about a poll a second, twice the requests of fixed 2 s polling. The fixed 1 s column
  measures that in the same run (p90 within 1 s, requests as ours); at fixed 2 s polling's count no
  plan beats its p90 of about 1.8 s, since equal intervals leave the smallest late share. The fresh
  plan keeps the latency bound and pays in requests; run history (the long-process rows) saves them
  where the model's jobs do not end. Compressed rows multiply the machine's scheduling lag by their
  scale, so on a loaded machine their delays lean late.`,
  ],
  [
    "client",
    /requests per job|completion/,
    `the client plans its polls from what the service tells it (runtime/client-poll.ts): half the wait
  the falling queue position predicts while queued, then, per model id, the observed running times of
  its recent jobs (sparse polls early, dense around the usual finish); a model never seen polls at
  intervals growing 1.5× from 250 ms up to 1 s. The delay column moves between runs on a loaded machine (with
  time compressed 10×, scheduling lag counts 10×): 0.72–0.99× of fixed polling over this session's
  runs; p90 is above fixed polling by design (long videos are polled sparsely).`,
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
