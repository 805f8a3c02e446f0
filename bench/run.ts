/**
 * `npm run bench`: prints one table and writes bench/RESULTS.md from the same run. Every figure has
 * its baseline measured in the same run on the same machine; medians of BENCH_RUNS runs (default 3);
 * wall time with CPU time beside it. BENCH_LARGE=0 leaves out the N = 10,000 rows (they take minutes).
 * All traffic stays on 127.0.0.1.
 */
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "../generator/shared/paths.js";
import { generateCorpus } from "./corpus.js";
import { explainMisses } from "./misses.js";
import { benchBatch } from "./sections/batch.js";
import { benchClient } from "./sections/client.js";
import { benchClientFresh } from "./sections/client-fresh.js";
import { benchBundle, benchImport, consumerFolder } from "./sections/consumer.js";
import { benchGenerate, type Corpus } from "./sections/generate.js";
import { benchDataUri } from "./sections/data-uri.js";
import { benchHostileInput } from "./sections/hostile-input.js";
import { benchProbe, LINK, probeRounds } from "./sections/probe.js";
import { benchValidation, benchValidatorSize } from "./sections/validators.js";
import { fmt, table, type Row } from "./stats.js";

/**
 * A one-time measurement behind a design choice (not rerun by \`npm run bench\`): kept in the results
 * so the next person sees why the types are printed the way they are.
 */
const TYPES_EMITTER_CHOICE = `Types emitter, chosen by measurement (one-time, not rerun by \`npm run bench\`; 2026-12-08, load
average 13-18 on this 2-core machine, cold \`generate\` of the same 1,000-model corpus from
\`bench/make-corpus.ts\`, whole process, runs interleaved, medians of 3):

| types emitter | wall | CPU | peak RSS |
| --- | --- | --- | --- |
| json-schema-to-typescript, then placeholder keys restored by regex, shape checked and re-indented by counting braces (before) | 31.58 s | 15.82 s | 154 MB |
| syntax tree: Babel's TypeScript builders and generator (after, kept) | 29.39 s | 14.10 s | 142 MB |
| syntax tree: TypeScript's factory and printer through ts-morph (rejected; its own interleaved pair against the same before: 59.85 s / 14.85 s / 148 MB before) | 50.64 s | 14.29 s | 221 MB |

TypeScript's printer was as fast but loading the compiler costs 77 MB a thread: cold at N = 10,000 it
peaked at 327 MB, over the 300 MB bound. Babel's builders and generator load in 10 MB: cold at
N = 10,000 the kept emitter peaked at 236 MB (one run, 361.9 s wall / 108.7 s CPU under that load). On the corpus
the kept emitter's files differ from the old ones only in semicolons and a blank line between declarations.
`;

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const LARGE = process.env.BENCH_LARGE !== "0";
const SCALE = Math.max(1, Number(process.env.BENCH_CLIENT_TIME_SCALE ?? 10));
const work = mkdtempSync(path.join(tmpdir(), "rcg-bench-"));
const log = (s: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${s}\n`);
const version = (dep: string) =>
  JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "node_modules", dep, "package.json"), "utf8")).version as string;
const load = () =>
  loadavg()
    .map((l) => fmt(l, 1))
    .join(", ");

function corpus(n: number, seed: number): Corpus {
  log(`corpus of ${fmt(n)} schema files…`);
  const dir = path.join(work, `c${n}`);
  return {
    n,
    dir,
    files: generateCorpus(path.join(PACKAGE_ROOT, "schemas"), dir, n, seed),
    out: path.join(work, `out${n}`),
    cache: path.join(work, `cache${n}`),
  };
}

const started = Date.now();
const loadBefore = load();
const rows: Row[] = [];
const RESULTS_JSON = path.join(PACKAGE_ROOT, "bench", "RESULTS.json");
if (process.argv.includes("--render")) {
  // Writes RESULTS.md again from the figures of the last run (RESULTS.json), e.g. after an explanation of a miss was written.
  const last = JSON.parse(readFileSync(RESULTS_JSON, "utf8")) as Meta;
  writeFileSync(path.join(PACKAGE_ROOT, "bench", "RESULTS.md"), render(last));
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
try {
  const c100 = corpus(100, 7);
  const c1000 = corpus(1000, 42);
  const c10000 = LARGE ? corpus(10_000, 99) : undefined;
  // Each section's rows are saved as soon as it ends, and a section that fails becomes a row saying so.
  const section = async (name: string, fn: () => Row[] | Promise<Row[]>) => {
    try {
      rows.push(...(await fn()));
    } catch (e) {
      log(`${name} failed: ${(e as Error).stack}`);
      rows.push({
        section: name,
        metric: "the section failed in this run",
        ours: (e as Error).message.split("\n")[0],
        baseline: "",
        ratio: "",
        target: "",
        met: "no",
      });
    }
    writeFileSync(RESULTS_JSON, `${JSON.stringify({ partial: true, rows }, null, 1)}\n`);
  };
  await section("generate", () => benchGenerate(c1000, c10000, RUNS, log));

  // c1000 and c10000 hold their generated packages now (the incremental runs left them complete).
  log("generate N = 100 for the import rows…");
  const { runProcess } = await import("./process.js");
  runProcess(
    [path.join(PACKAGE_ROOT, "dist/generator/cli.js"), "generate", "--schemas", c100.dir, "--out", c100.out, "--quiet"],
    { env: { RUNCOMFY_CODEGEN_CACHE_DIR: c100.cache } },
  );
  const someId = (c: Corpus) => JSON.parse(readFileSync(c.files[3], "utf8")).model_id as string;
  const consumers = [c100, c1000, ...(c10000 ? [c10000] : [])].map((c) => ({
    n: c.n,
    dir: consumerFolder(work, c.n, c.out),
    modelId: someId(c),
  }));
  await section("import", () => benchImport(consumers, RUNS * 5, log));
  await section("bundle", () => benchBundle(consumers[1].dir, 1000, log));
  await section("validator size", () => benchValidatorSize(c1000.files.slice(0, 200), c1000.out, log));
  await section("validate", () => benchValidation(RUNS, log));
  await section("probe", () => benchProbe(RUNS, log));
  await section("data URI", () => benchDataUri(RUNS * 2, log));
  await section("client", () => benchClient(SCALE, log));
  await section("client", () => benchClientFresh(log));
  await section("hostile input", () => benchHostileInput(work, RUNS, log));
  await section("batch", () => benchBatch(RUNS, SCALE, log));

  const meta: Meta = {
    rows,
    runs: RUNS,
    minutes: (Date.now() - started) / 60_000,
    machine: `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${fmt(totalmem() / 2 ** 30)} GiB; Node ${process.version}`,
    libs: ["json-schema-to-typescript", "ajv", "esbuild", "acorn", "probe-image-size"]
      .map((d) => `${d} ${version(d)}`)
      .join(", "),
    loadBefore,
    loadAfter: load(),
    date: new Date().toISOString().slice(0, 16).replace("T", " "),
  };
  process.stdout.write(`${table(rows)}\n`);
  writeFileSync(RESULTS_JSON, `${JSON.stringify(meta, null, 1)}\n`);
  const md = render(meta);
  writeFileSync(path.join(PACKAGE_ROOT, "bench", "RESULTS.md"), md);
  log("wrote bench/RESULTS.md");
} finally {
  rmSync(work, { recursive: true, force: true });
}

interface Meta {
  rows: Row[];
  runs: number;
  minutes: number;
  machine: string;
  libs: string;
  loadBefore: string;
  loadAfter: string;
  date: string;
  /** Sections measured again after the run, alone (their rows replace the run's): which, when, how. */
  sectionRuns?: { sections: string[]; date: string; runs: number; load: string }[];
}

function render({ rows, runs: RUNS, minutes, machine, libs, loadBefore, loadAfter, date, sectionRuns }: Meta): string {
  const text = `${table(rows)}\n`;
  return `# Benchmark results

Produced by \`npm run bench\` (${RUNS} runs per figure, medians; every ratio against a baseline measured
in the same run on the same machine). Written from the run whose table is below.

- Machine: ${machine}
- Load average (1, 5, 15 min) at the start: ${loadBefore}; at the end: ${loadAfter}. The machine is
  shared with other developers' builds and tests: single times move by tens of percent between runs;
  read the ratios (both sides of each were measured interleaved, under the same load).
- Libraries: ${libs}
- Date: ${date} UTC; the run took ${fmt(minutes, 0)} minutes.
${(sectionRuns ?? []).map((r) => `- The ${r.sections.join(" and ")} rows are from a run of those sections alone, on the same machine: ${r.date} UTC, ${r.runs} runs, load ${r.load}.\n`).join("")}
${text}
${TYPES_EMITTER_CHOICE}
How each figure is taken:
- **generate** — whole processes from spawn to exit (\`node dist/generator/cli.js generate\`; Node's
  start-up and every import included), on a seeded corpus (\`bench/corpus.ts\`) shaped like the seed
  models. CPU is user + system time of the process and the children it waited for (esbuild's
  service included), from the kernel's accounting; "cores busy" is CPU ÷ wall (ours builds whole
  models on a worker thread per core beyond the first, beside the main thread, and esbuild's service
  beside; the baseline is one thread). Baseline
  (\`bench/child-baseline.ts\`): json-schema-to-typescript (\`format: false\`, the like-for-like row:
  the generator does not run prettier either; and its default options) plus ajv standalone, once per
  schema, on the same normalized schemas (the raw ones compile in neither). *Incremental*: one schema
  file changed, cache and output in place. Peak RSS is the generator process's own.
- **import** — a fresh \`node\` process in a consumer folder whose \`node_modules/runcomfy-models\`
  is the generated package, importing \`runcomfy-models\` and \`runcomfy-models/<id>\`; the time
  from before the first import to after the second, and the whole process beside it.
- **bundle** — esbuild (splitting, minified, browser) of a module importing \`{ createClient, validate }\`
  from the package at N = 1,000. Webpack is not installed here and was not measured.
- **validator size** — for 200 models of the corpus, the validator's part of the model module (its
  import and code) gzipped (level 9) against ajv standalone's output for the same normalized schema,
  gzipped.
- **validate** — every seed model, its example (valid) and an invalid input (a property of the wrong
  type and an unknown key), the precompiled validator against ajv compiling the same schema at run
  time with the same format checks; ${RUNS * 10} samples of 60 ms per side, interleaved in rotating
  order. Judged on operations per second of the process's CPU time (a process waiting for a core on
  this shared machine loses wall time that says nothing of the code); the wall-time ratio is beside
  it, and "ajv vs ajv" is a second compile of the same schema measured the same way: the spread
  between two identical functions.
- **probe** — through a TCP proxy on 127.0.0.1 (\`bench/link.ts\`) adding ${LINK.rttMs} ms per round
  trip, ${fmt((LINK.bytesPerSecond * 8) / 1e6)} Mbit/s each way in packets of one TCP segment, one round trip per new
  connection (plain HTTP: a real HTTPS connection costs one or two more; TCP's slow start is not
  modelled), and reading from the server only as the link drains. Bytes are those the server's
  sockets accepted (kernel-level, headers included), not what the handler passed to \`res.end()\`.
  Every measurement starts with no open connection; ${probeRounds(RUNS)} rounds per row, each measuring every
  side once in rotating order (the full download in ${RUNS} of them). The floor is what any client
  must spend (\`bench/sections/probe-floor.ts\`): by the link's arithmetic, and measured with a
  raw-socket client that knows which bytes it needs. "Met" when ours is faster in the median or the
  95% interval of the paired difference holds 0 (a tie these rounds cannot tell apart), and, with
  Range, when the server wrote fewer bytes for ours. Rows starting "nginx:" have nginx behind the
  link (Debian's nginx-light, \`keepalive_timeout 65s\`, \`max_ranges 0\` for "no Range";
  \`generator/mock/nginx.ts\`), its bytes and requests from its access log (\`$bytes_sent\`).
- **data URI** — each figure a fresh process (\`bench/data-uri-child.ts\`): the input parsed from
  JSON as a user's would be, then the one call, timed; the peak memory it added is the peak RSS
  during the call (reset just before it through \`/proc/self/clear_refs\`) less the RSS before.
  Baseline: \`Buffer.from(payload, "base64")\` and probe-image-size's \`sync\`, what one writes without
  the package.
- **client** — see \`bench/sections/client.ts\` (one long process, run history) and
  \`bench/sections/client-fresh.ts\` (a fresh CLI \`run\` process per job); fixed polling is status
  every 2 s (or 1 s), then the result.
- **hostile input** — a fresh CLI process each (\`bench/sections/hostile-input.ts\`): \`import --dry-run\` of
  pages built to be slow, beside the five seed pages saved as HTML; \`pull --dry-run\` against a catalog on
  127.0.0.1 (a worker thread) that sends new ids on every page with a lying total, to its clear error.

${explainMisses(rows)}`;
}
