import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SCHEMAS, tempDir, captureCli } from "./helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const cli = (...argv: string[]) => captureCli(argv);

describe("cli", () => {
  it("generate prints one summary line; --check passes after it", async () => {
    const out = path.join(tmp.dir, "gen");
    const r = await cli("generate", "--schemas", SCHEMAS, "--out", out, "--quiet");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^4 models \(\d+ emitted, \d+ cached\), \d+ files written, 0 unchanged, 0 removed, [\d.]+ s\n$/);
    expect((await cli("generate", "--schemas", SCHEMAS, "--out", out, "--check")).code).toBe(0);
  });

  it("--check exits 1 and lists stale files", async () => {
    const r = await cli("generate", "--schemas", SCHEMAS, "--out", path.join(tmp.dir, "missing"), "--check");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("models/bytedance~dreamina-4-0~edit.d.ts");
  });

  it("bad schemas exit 1 with file and pointer, no stack trace", async () => {
    const dir = path.join(tmp.dir, "bad", "acme");
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "m.json"), '{"model_id": "acme/m", "input_schema": {"type": "object", "properties": {"x": {"type": "tensor"}}}}');
    const r = await cli("generate", "--schemas", path.dirname(dir), "--out", path.join(tmp.dir, "bad-out"));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('m.json#/input_schema/properties/x/type: unknown type "tensor"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("bad usage exits 2; --help exits 0", async () => {
    expect((await cli("generate", "--bogus")).code).toBe(2);
    expect((await cli()).code).toBe(2);
    const help = await cli("generate", "--help");
    expect(help.code).toBe(0);
  });
});

describe("cli validate", () => {
  it("prints issues and exits 1 when invalid; 0 when valid; reads stdin", async () => {
    const input = path.join(tmp.dir, "input.json");
    writeFileSync(input, JSON.stringify({ prompt: 3, image_urls: ["https://example.com/a.png"], extra: 1 }));
    const bad = await cli("validate", "bytedance/dreamina-4-0/edit", input, "--no-probe");
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("error   /extra  is not a known property of this model  [schema additionalProperties]");
    expect(bad.stdout).toContain("invalid: 2 problems");
    const json = await cli("validate", "bytedance/dreamina-4-0/edit", input, "--no-probe", "--json");
    expect(JSON.parse(json.stdout).issues.map((i: { path: string }) => i.path)).toEqual(["/extra", "/prompt"]);
    const fromStdin = await captureCli(["validate", "bytedance/dreamina-4-0/edit", "-", "--no-probe"], { stdin: JSON.stringify({ prompt: "p", image_urls: ["https://example.com/a.png"] }) });
    expect([fromStdin.code, fromStdin.stdout]).toEqual([0, "valid\n"]);
  });

  it("an unknown model or unreadable input exits 1 with a message", async () => {
    const r = await cli("validate", "acme/nope", "-", "--no-probe");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown model id "acme/nope"');
    const missing = await cli("validate", "bytedance/dreamina-4-0/edit", path.join(tmp.dir, "nope.json"));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot read");
  });
});
