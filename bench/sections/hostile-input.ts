/**
 * Work on hostile input, where the user is: a fresh CLI process each. `import` of pages built to be
 * slow (markup that made regexes quadratic, the worst markup tried at the size cap, broken JSON
 * objects nested inside each other) against the seed pages saved as HTML; `pull` against a catalog
 * that never runs out of new ids, to its clear error. Wall time and peak RSS.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { encodeHTML } from "entities";
import { MAX_PAGE_BYTES } from "../../generator/importer/import-pages.js";
import { PACKAGE_ROOT } from "../../generator/shared/paths.js";
import { runProcess, type ProcessRun } from "../process.js";
import { fmt, median, type Row } from "../stats.js";

const CLI = path.join(PACKAGE_ROOT, "dist/generator/cli.js");
const CURL = "curl -X POST https://model-api.runcomfy.net/v1/models/acme/hostile/page\n";

/** The catalog in a worker thread: this thread blocks while the CLI runs. New ids on every page, total a lie. */
const ENDLESS_CATALOG = `
import { createServer } from "node:http";
import { parentPort } from "node:worker_threads";
const schema = { type: "object", properties: { prompt: { type: "string" } } };
const server = createServer((req, res) => {
  const url = new URL(req.url, "http://127.0.0.1");
  const offset = Number(url.searchParams.get("offset") ?? 0);
  const limit = Number(url.searchParams.get("limit") ?? 100);
  const models = Array.from({ length: limit }, (_, i) => ({ model_id: "acme/n/m" + (offset + i), input_schema: schema }));
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify({ models, total: 1e9 }));
});
server.listen(0, "127.0.0.1", () => parentPort.postMessage(server.address().port));
`;

function medianRun(runs: ProcessRun[]): { wallMs: number; maxRssMB: number } {
  return { wallMs: median(runs.map((r) => r.wallMs)), maxRssMB: median(runs.map((r) => r.maxRssMB)) };
}

export async function benchHostileInput(work: string, samples: number, log: (s: string) => void): Promise<Row[]> {
  const seeds = path.join(PACKAGE_ROOT, "test/fixtures/seeds");
  const seedHtml = readdirSync(seeds)
    .sort()
    .map((name, i) => {
      const file = path.join(work, `seed-${i}.html`);
      const text = readFileSync(path.join(seeds, name), "utf8");
      writeFileSync(
        file,
        `<!doctype html><html><body><pre><code>${encodeHTML(text).replace(/\n/g, "<br>")}</code></pre></body></html>`,
      );
      return file;
    });
  const page = (name: string, text: string) => {
    const file = path.join(work, name);
    writeFileSync(file, text);
    return file;
  };
  const fill = (unit: string, bytes: number) => unit.repeat(Math.floor(bytes / unit.length));
  const cap = MAX_PAGE_BYTES - 1024;
  const pages = {
    seeds: seedHtml,
    lt300k: [page("lt.html", `<html><body>${CURL}${fill("<", 300_000)}`)],
    tagsAtCap: [page("tags.html", `<html><body>${CURL}${fill("<a", cap)}`)],
    nestedAtCap: [page("nested.txt", `${CURL}${fill('{"":', cap / 2)}x${fill("}", cap / 8)}`)],
  };
  const importRun = (files: string[], status: number) =>
    runProcess([CLI, "import", ...files, "--out", path.join(work, "import-out"), "--dry-run"], { status });
  log(`hostile input: import, ${samples} fresh processes per page…`);
  const measured: Record<keyof typeof pages, ProcessRun[]> = { seeds: [], lt300k: [], tagsAtCap: [], nestedAtCap: [] };
  for (let r = 0; r < samples; r++)
    for (const key of Object.keys(pages) as (keyof typeof pages)[])
      measured[key].push(importRun(pages[key], key === "seeds" ? 0 : 1));
  const seedsRun = medianRun(measured.seeds);

  log("hostile input: pull against a catalog that never ends…");
  const worker = new Worker(ENDLESS_CATALOG, { eval: true });
  const pulls: ProcessRun[] = [];
  try {
    const port = await new Promise<number>((resolve, reject) => {
      worker.once("message", resolve);
      worker.once("error", reject);
    });
    for (let r = 0; r < samples; r++)
      pulls.push(
        runProcess(
          [CLI, "pull", "--out", path.join(work, "pull-out"), "--dry-run", "--base-url", `http://127.0.0.1:${port}/v1`],
          {
            env: { RUNCOMFY_API_TOKEN: "rc-bench-token" },
            status: 3,
          },
        ),
      );
  } finally {
    await worker.terminate();
  }

  const row = (metric: string, run: { wallMs: number; maxRssMB: number }, target: string, met: boolean): Row => ({
    section: "hostile input",
    metric,
    ours: `${fmt(run.wallMs)} ms, ${fmt(run.maxRssMB)} MB peak`,
    baseline: `${fmt(seedsRun.wallMs)} ms, ${fmt(seedsRun.maxRssMB)} MB (the 5 seed pages as HTML)`,
    ratio: `${fmt(run.wallMs / seedsRun.wallMs, 1)}×`,
    target,
    met: met ? "yes" : "no",
  });
  const lt = medianRun(measured.lt300k);
  const tags = medianRun(measured.tagsAtCap);
  const nested = medianRun(measured.nestedAtCap);
  const pull = medianRun(pulls);
  return [
    row("import: 300 KB of `<` (the regexes before: never finished; 200 KB took 45 s)", lt, "< 2 s", lt.wallMs < 2000),
    row(
      `import: ${fmt(MAX_PAGE_BYTES / 2 ** 20)} MiB of \`<a\` (the page cap; the slowest markup measured)`,
      tags,
      "< 10 s, < 500 MB",
      tags.wallMs < 10_000 && tags.maxRssMB < 500,
    ),
    row(
      `import: ${fmt(MAX_PAGE_BYTES / 2 ** 20)} MiB of broken JSON objects nested in each other, to the scan's clear error`,
      nested,
      "< 10 s, < 500 MB",
      nested.wallMs < 10_000 && nested.maxRssMB < 500,
    ),
    row(
      "pull: a catalog with new ids on every page and a lying total, to the clear error at the entry cap (before: 40 s and 687 MB, killed)",
      pull,
      "< 30 s, < 500 MB",
      pull.wallMs < 30_000 && pull.maxRssMB < 500,
    ),
  ];
}
