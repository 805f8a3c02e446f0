/**
 * `import` on hostile pages, through the CLI's process: markup that made the tag-stripping regexes
 * quadratic, JSON-like blocks nested inside each other, a page too large, a file that never ends.
 * Each ends with a clear error (exit 1, no stack trace, nothing written) instead of running for minutes.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { MAX_PAGE_BYTES } from "../../generator/importer/import-pages.js";
import { tempDir } from "../helpers.js";
import { runCliProcess } from "../commands/cli-process.js";

const tmp = tempDir("rcg-import-bounds-");
afterAll(tmp.cleanup);
let running: ChildProcess | undefined;
afterEach(() => {
  // A page read for minutes (the code before the fix) must not outlive its test.
  if (running && running.exitCode === null) running.kill();
});
const CURL = "curl -X POST https://model-api.runcomfy.net/v1/models/acme/hostile/page";

async function importPage(name: string, text: string) {
  const file = path.join(tmp.dir, name);
  writeFileSync(file, text);
  return importFile(file);
}
async function importFile(file: string) {
  const out = path.join(tmp.dir, `out-${path.basename(file)}`);
  const r = await runCliProcess(["import", file, "--out", out], {}, (child) => (running = child));
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(() => readdirSync(out)).toThrow();
  return r;
}

describe("import: bounded work on hostile pages", () => {
  // Before: 200 KB of `<` took 45 s, 300 KB never finished (each `<` scanned to the end).
  it.each([
    ["300 KB of <", `<html><body>${CURL}${"<".repeat(300_000)}`],
    ["300 KB of <!--", `<html><body>${CURL}${"<!--".repeat(75_000)}`],
    ["300 KB of <script>", `<html><body>${CURL}${"<script>".repeat(37_500)}`],
    ["300 KB of <a", `<html><body>${CURL}${"<a".repeat(150_000)}`],
  ])("%s: read in one pass, then a clear error", { timeout: 30_000 }, async (_what, html) => {
    const r = await importPage("markup.html", html);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no input schema found (a JSON object with "properties"); nothing was written');
  });

  // Before: 100 KB took 65 s, 300 KB 320 s (every broken object retried at each `{` inside it).
  it("JSON-like blocks nested inside each other stop with a clear error", { timeout: 30_000 }, async () => {
    const depth = 75_000;
    const r = await importPage("nested.txt", `${CURL}\n${'{"":'.repeat(depth)}x${"}".repeat(depth)}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the page is not a docs page: too many JSON-like blocks that do not parse .* at line 2/);
  });

  it("a page above the size cap is refused before it is read", async () => {
    const r = await importPage("huge.txt", `${CURL}\n${"a".repeat(MAX_PAGE_BYTES)}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("huge.txt: the file is 8.0 MiB; a docs page is read up to 8 MiB; nothing was written");
  });

  it("a FIFO (or any file that is not a regular file) is refused without waiting for a writer", async () => {
    const fifo = path.join(tmp.dir, "page.fifo");
    execFileSync("mkfifo", [fifo]);
    const r = await importFile(fifo);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("page.fifo: not a regular file (save the docs page as a file); nothing was written");
  });
});

describe("import: the JSON scan's work budget", () => {
  it("the seed pages need a quarter of it (each character read at most twice)", async () => {
    const { readFileSync } = await import("node:fs");
    const { scanJsonObjects } = await import("../../generator/importer/json-scan.js");
    const seeds = path.join(import.meta.dirname, "..", "fixtures", "seeds");
    for (const name of readdirSync(seeds)) {
      const text = readFileSync(path.join(seeds, name), "utf8");
      expect(scanJsonObjects(text, 2).filter((o) => o.value !== undefined).length).toBeGreaterThan(1);
    }
  });
});
