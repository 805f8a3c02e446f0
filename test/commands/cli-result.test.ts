/**
 * `result <request-id>` with the cost and `--download DIR`, and `mock-server --catalog FILE`, through
 * the CLI's processes: a mock-server process priced from a catalog file, jobs run and picked up by
 * CLI processes, as a user would after Ctrl-C or `run --timeout`.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SCHEMAS, tempDir } from "../helpers.js";
import { runCliProcess, spawnCli } from "./cli-process.js";

const TOKEN = "rc-result-token-4c2";
const MODEL = "bytedance/dreamina-3-0/pro/text-to-video";
const tmp = tempDir();
const catalogFile = path.join(tmp.dir, "catalog.json");
writeFileSync(catalogFile, JSON.stringify({ [MODEL]: { base_price_usd: 0.25, price_unit: "output" } }));
const input = path.join(tmp.dir, "in.json");
writeFileSync(input, JSON.stringify({ prompt: "a teapot" }));

let server: ReturnType<typeof spawnCli>;
let baseUrl: string;
beforeAll(async () => {
  server = spawnCli(
    [
      "mock-server",
      "--port",
      "0",
      "--schemas",
      SCHEMAS,
      "--queue-ms",
      "0",
      "--run-ms",
      "0",
      "--token",
      TOKEN,
      "--catalog",
      catalogFile,
    ],
    {},
    /http:\/\/127\.0\.0\.1:\d+\/v1/,
  );
  baseUrl = await server.seen;
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exited;
  tmp.cleanup();
});

const cli = (...args: string[]) => runCliProcess([...args, "--base-url", baseUrl], { RUNCOMFY_API_TOKEN: TOKEN });

/** A finished job, run through the CLI: its request id. */
async function finishedJob(): Promise<string> {
  const r = await cli("run", MODEL, input, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout).requestId;
}

describe("mock-server --catalog", () => {
  it("prices jobs from the catalog file: run and result report the cost the emulator charged", async () => {
    const listed = await fetch(`${baseUrl}/models/${MODEL}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(await listed.json()).toMatchObject({ model_id: MODEL, base_price_usd: 0.25, price_unit: "output" });
    const run = await cli("run", MODEL, input);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("cost: $0.25 (USD, as RunComfy reported it)");
  });

  it("a catalog file that is not an object of entries, or names a model the schemas lack, is a usage error (exit 2)", async () => {
    const cases: [string, unknown, RegExp][] = [
      ["array.json", [1], /must hold a JSON object: \{ "<model id>": \{ catalog fields \} \}/],
      ["entry.json", { [MODEL]: 3 }, /the entry of bytedance\/dreamina-3-0\/pro\/text-to-video must be an object/],
      ["unknown.json", { "acme/nope": { base_price_usd: 1 } }, /no schema file for acme\/nope/],
    ];
    for (const [name, value, message] of cases) {
      const file = path.join(tmp.dir, name);
      writeFileSync(file, JSON.stringify(value));
      const r = await runCliProcess(["mock-server", "--port", "0", "--schemas", SCHEMAS, "--catalog", file]);
      expect([r.code, r.stderr], name).toEqual([2, expect.stringMatching(message)]);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await runCliProcess(["mock-server", "--port", "0", "--catalog", path.join(tmp.dir, "nope.json")]);
    expect(missing.code).toBe(2);
  });
});

describe("result <request-id>", () => {
  it("asks for the cost (include_cost) and prints it on stderr, the URLs on stdout; --json carries it", async () => {
    const id = await finishedJob();
    const r = await cli("result", id);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^video\thttp:\/\/127\.0\.0\.1:\d+\/media\/.+\.mp4\n$/);
    expect(r.stderr).toBe("cost: $0.25 (USD, as RunComfy reported it)\n");
    expect(JSON.parse((await cli("result", id, "--json")).stdout)).toMatchObject({
      requestId: id,
      status: "completed",
      cost: 0.25,
    });
  });

  it("--download DIR saves each output as <request id>-<output key>.<ext> and never overwrites a file", async () => {
    const id = await finishedJob();
    const dir = path.join(tmp.dir, "downloads");
    const r = await cli("result", id, "--download", dir, "--allow-private-network");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^video\t/);
    expect(readdirSync(dir)).toEqual([`${id}-video.mp4`]);
    const file = path.join(dir, `${id}-video.mp4`);
    expect(readFileSync(file).subarray(4, 8).toString()).toBe("ftyp");
    expect(r.stderr).toContain(`saved ${file} (`);
    // A second download finds the file there: it is kept as it is, and the command says so (exit 1).
    writeFileSync(file, "mine");
    const again = await cli("result", id, "--download", dir, "--allow-private-network");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(`1 of 1 downloads failed \\[request ${id}\\]:\\n  video: .*already exists; not overwritten`),
    );
    expect(readFileSync(file, "utf8")).toBe("mine");
  });

  it("--download goes through the address guard: loopback output URLs refused without --allow-private-network", async () => {
    const id = await finishedJob();
    const dir = path.join(tmp.dir, "guarded");
    const r = await cli("result", id, "--download", dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^video\thttp:\/\/127\.0\.0\.1:\d+\//);
    expect(r.stderr).toMatch(/video: .*refused to contact private address 127\.0\.0\.1/);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it("--download of a job still queued downloads nothing and exits 4", async () => {
    const slow = spawnCli(
      ["mock-server", "--port", "0", "--schemas", SCHEMAS, "--queue-ms", "600000", "--token", TOKEN],
      {},
      /http:\/\/127\.0\.0\.1:\d+\/v1/,
    );
    try {
      const url = await slow.seen;
      const submitted = await fetch(`${url}/models/${MODEL}`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ prompt: "slow" }),
      });
      const { request_id } = (await submitted.json()) as { request_id: string };
      const dir = path.join(tmp.dir, "queued");
      const r = await runCliProcess(["result", request_id, "--download", dir, "--base-url", url], {
        RUNCOMFY_API_TOKEN: TOKEN,
      });
      expect(r.code).toBe(4);
      expect(existsSync(dir)).toBe(false);
    } finally {
      slow.child.kill("SIGTERM");
      await slow.exited;
    }
  });
});
