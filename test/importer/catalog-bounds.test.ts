/**
 * `pull` and `models` against hostile catalogs on 127.0.0.1, through the CLI's process: a catalog that
 * ignores `offset` and lies in `total`, one that never runs out of new ids, entries the file system
 * refuses. Reading stops with a clear error (or at the last new id), one bad entry is skipped with its
 * reason and the rest of the catalog is written; never a stack trace.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_CATALOG_ENTRIES, MAX_CATALOG_PAGES } from "../../generator/importer/catalog.js";
import { EXIT } from "../../generator/commands/context.js";
import { tempDir } from "../helpers.js";
import { runCliProcess } from "../commands/cli-process.js";

const tmp = tempDir("rcg-catalog-bounds-");
const SCHEMA = { type: "object", properties: { prompt: { type: "string" } } };
const entry = (model_id: string) => ({ model_id, input_schema: SCHEMA, output_schema: null });
const LONG_ID = `acme/${"x".repeat(300)}`;

/** Requests per catalog, to tell how far each listing read. */
const requests = new Map<string, number>();
let server: Server;
let origin: string;

function catalogPage(catalog: string, offset: number, limit: number): unknown {
  switch (catalog) {
    case "same": // ignores offset, claims a billion entries
      return { models: [entry("acme/a/one"), entry("acme/a/two")], total: 1e9 };
    case "endless": // a new full page every time, total a lie
      return { models: Array.from({ length: limit }, (_, i) => entry(`acme/n/m${offset + i}`)), total: 1e9 };
    case "trickle": // one new entry per page, whatever the limit
      return { models: [entry(`acme/t/m${offset}`)], total: 1e9 };
    case "unwritable":
      return { models: [entry(LONG_ID), entry("blocked/x/model"), entry("acme/fine/model")], total: 3 };
    default:
      return { models: [], total: 0 };
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, catalog] = url.pathname.split("/");
    requests.set(catalog, (requests.get(catalog) ?? 0) + 1);
    const offset = Number(url.searchParams.get("offset") ?? 0);
    const limit = Number(url.searchParams.get("limit") ?? 100);
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(catalogPage(catalog, offset, limit)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  tmp.cleanup();
});

let running: ChildProcess | undefined;
afterEach(() => {
  // A listing that never ends (the code before the fix) must not outlive its test.
  if (running && running.exitCode === null) running.kill();
});

const cli = (catalog: string, ...argv: string[]) =>
  runCliProcess(
    [...argv, "--base-url", `${origin}/${catalog}/v1`],
    { RUNCOMFY_API_TOKEN: "rc-catalog-bounds-token" },
    (child) => (running = child),
  );

describe("pull / models: a catalog that does not end", () => {
  it("a page that brings no new id ends the listing (a service ignoring offset, total a lie)", async () => {
    const out = path.join(tmp.dir, "same");
    const r = await cli("same", "pull", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("added    acme/a/one\nadded    acme/a/two\n2 added, 0 changed, 0 unchanged, 0 removed\n");
    expect(requests.get("same")).toBe(2);
    const models = await cli("same", "models");
    expect(models.stdout.trimEnd().split("\n")).toHaveLength(3);
  });

  it("new ids without end: an error at the entry cap, exit 3, nothing printed as if complete", async () => {
    const r = await cli("endless", "models");
    expect(r.code).toBe(EXIT.service);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      `NetworkError: the catalog did not end after ${MAX_CATALOG_ENTRIES / 100} pages and ${MAX_CATALOG_ENTRIES} entries (its total said 1000000000); one listing reads at most ${MAX_CATALOG_PAGES} pages and ${MAX_CATALOG_ENTRIES} entries: narrow it with --search, --category or --kind, or name the models\n`,
    );
    expect(requests.get("endless")).toBe(MAX_CATALOG_ENTRIES / 100);
  });

  it("one new id per page: an error at the page cap; pull writes nothing", { timeout: 60_000 }, async () => {
    const out = path.join(tmp.dir, "trickle");
    const r = await cli("trickle", "pull", "--out", out);
    expect(r.code).toBe(EXIT.service);
    expect(r.stderr).toContain(
      `the catalog did not end after ${MAX_CATALOG_PAGES} pages and ${MAX_CATALOG_PAGES} entries`,
    );
    expect(requests.get("trickle")).toBe(MAX_CATALOG_PAGES);
    expect(existsSync(out)).toBe(false);
  });
});

describe("pull: an entry the file system refuses is skipped with its reason", () => {
  it("a 300-character id and a folder that is a file: both skipped, the rest written, no stack trace", async () => {
    const out = path.join(tmp.dir, "unwritable");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "blocked"), "a file where a folder would go\n");
    const r = await cli("unwritable", "pull", "--out", out);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr).toContain(
      `skipped  ${LONG_ID}: a segment of the id is 300 characters: longer than a file name can be (255)\n`,
    );
    expect(r.stderr).toMatch(/skipped {2}blocked\/x\/model: cannot write its schema file: E(NOTDIR|EXIST)\b/);
    expect(r.stdout).toBe("added    acme/fine/model\n1 added, 0 changed, 0 unchanged, 0 removed, 2 skipped\n");
    expect(existsSync(path.join(out, "acme", "fine", "model.json"))).toBe(true);
  });

  it("a dry run reports the over-long id as a real pull would", async () => {
    const r = await cli("unwritable", "pull", "--out", path.join(tmp.dir, "dry"), "--dry-run");
    expect(r.stderr).toContain(`skipped  ${LONG_ID}: a segment of the id is 300 characters`);
    expect(r.stdout).not.toContain(LONG_ID);
  });
});
