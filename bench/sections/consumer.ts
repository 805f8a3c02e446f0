/**
 * The generated package as a consumer uses it: a fresh process in a consumer folder importing it by
 * package name (`runcomfy-models` and `runcomfy-models/<id>`), at N = 100, 1,000 and 10,000; and a
 * bundle of `import { createClient, validate } from "runcomfy-models"` (esbuild, code splitting).
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { runProcess } from "../process.js";
import { fmt, median, type Row } from "../stats.js";

/** Imports the root and one model by name; prints the time from before the first import to after the second. */
const IMPORT_SCRIPT = `const t0 = performance.now();
const root = await import("runcomfy-models");
const model = await import("runcomfy-models/" + process.argv[2]);
const t1 = performance.now();
if (typeof model.validator !== "function" || typeof root.createClient !== "function") throw new Error("not the package");
console.log(JSON.stringify({ importMs: t1 - t0, sinceStartMs: t1 }));
`;

export function consumerFolder(work: string, n: number, pkgDir: string): string {
  const dir = path.join(work, `consumer-${n}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, "node_modules"), { recursive: true });
  symlinkSync(pkgDir, path.join(dir, "node_modules", "runcomfy-models"), "dir");
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  writeFileSync(path.join(dir, "import.mjs"), IMPORT_SCRIPT);
  writeFileSync(
    path.join(dir, "app.mjs"),
    `import { createClient, validate } from "runcomfy-models";\nexport const app = { createClient, validate };\n`,
  );
  return dir;
}

export function benchImport(
  consumers: { n: number; dir: string; modelId: string }[],
  samples: number,
  log: (s: string) => void,
): Row[] {
  const results = new Map<number, { importMs: number; wallMs: number }>();
  // Interleaved across N, so load on the machine falls on every size alike.
  const all = new Map<number, { importMs: number; wallMs: number }[]>(consumers.map((c) => [c.n, []]));
  log(`import by package name, ${samples} fresh processes per N…`);
  for (let r = 0; r < samples; r++) {
    for (const c of consumers) {
      const run = runProcess(["import.mjs", c.modelId], { cwd: c.dir });
      all.get(c.n)!.push({ importMs: JSON.parse(run.stdout).importMs, wallMs: run.wallMs });
    }
  }
  for (const [n, list] of all)
    results.set(n, { importMs: median(list.map((l) => l.importMs)), wallMs: median(list.map((l) => l.wallMs)) });
  const smallest = results.get(consumers[0].n)!;
  return consumers.map((c) => {
    const r = results.get(c.n)!;
    const ratio = r.importMs / smallest.importMs;
    return {
      section: "import",
      metric: `root + one model by package name, N = ${fmt(c.n)} (import / whole process)`,
      ours: `${fmt(r.importMs, 1)} ms / ${fmt(r.wallMs, 0)} ms`,
      baseline: c === consumers[0] ? "" : `N = ${fmt(consumers[0].n)}: ${fmt(smallest.importMs, 1)} ms`,
      ratio: `${fmt(ratio, 2)}×`,
      target: c === consumers[0] ? "" : "≤ 1.2× of N = 100",
      met: c === consumers[0] ? "—" : ratio <= 1.2 ? "yes" : "no",
    };
  });
}

export async function benchBundle(consumerDir: string, n: number, log: (s: string) => void): Promise<Row[]> {
  log(`bundle of the root entry, N = ${fmt(n)} (esbuild, splitting, minified)…`);
  const result = await build({
    entryPoints: [path.join(consumerDir, "app.mjs")],
    absWorkingDir: consumerDir,
    bundle: true,
    splitting: true,
    format: "esm",
    minify: true,
    platform: "browser",
    outdir: path.join(consumerDir, "dist"),
    metafile: true,
    write: false,
    logLevel: "silent",
  });
  const files = new Map(result.outputFiles.map((f) => [f.path, f.contents]));
  const gz = (p: string) => gzipSync(files.get(p)!).length;
  let entry = "";
  let modelChunks = 0;
  let modelBytes = 0;
  let modelGzip = 0;
  let mixed = 0;
  for (const [p, out] of Object.entries(result.metafile.outputs)) {
    const abs = path.resolve(consumerDir, p);
    if (out.entryPoint) entry = abs;
    const models = Object.keys(out.inputs).filter((i) => /\/models\/.+\.js$/.test(i));
    if (models.length) {
      modelChunks++;
      modelBytes += out.bytes;
      modelGzip += gz(abs);
      if (models.length > 1) mixed++;
    }
  }
  const entryBytes = files.get(entry)!.length;
  const ratio = modelBytes / entryBytes;
  return [
    {
      section: "bundle",
      metric: `esbuild bundle of { createClient, validate }, N = ${fmt(n)}: entry (gzip)`,
      ours: `${fmt(entryBytes / 1024)} KB (${fmt(gz(entry) / 1024)} KB)`,
      baseline: `all models: ${fmt(modelBytes / 1024)} KB (${fmt(modelGzip / 1024)} KB) in ${fmt(modelChunks)} chunks`,
      ratio: `entry = 1/${fmt(ratio, 0)} of all models`,
      target: "≤ 1/20",
      met: ratio >= 20 ? "yes" : "no",
    },
    {
      section: "bundle",
      metric: "models in their own chunk, loaded on first use; bundler warnings",
      ours: `${fmt(modelChunks - mixed)} of ${fmt(n)} alone; ${result.warnings.length} warnings`,
      baseline: "",
      ratio: "",
      target: "each model its own chunk, no warnings",
      met: modelChunks - mixed === n && result.warnings.length === 0 ? "yes" : "no",
    },
  ];
}
