import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT, EXIT_TABLE } from "../../generator/commands/context.js";
import { ROOT, SCHEMAS, tempDir, captureCli } from "../helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const cli = (...argv: string[]) => captureCli(argv);

describe("cli", () => {
  it("generate prints one summary line; --check passes after it", async () => {
    const out = path.join(tmp.dir, "gen");
    const r = await cli("generate", "--schemas", SCHEMAS, "--out", out, "--quiet");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^4 models \(\d+ emitted, \d+ cached\), \d+ files written, 0 unchanged, 0 removed, [\d.]+ s\n$/,
    );
    expect((await cli("generate", "--schemas", SCHEMAS, "--out", out, "--check")).code).toBe(0);
  });

  it("--check exits 1 and lists stale files", async () => {
    const r = await cli("generate", "--schemas", SCHEMAS, "--out", path.join(tmp.dir, "missing"), "--check");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("models/bytedance/dreamina-4-0/edit.d.ts");
  });

  it("bad schemas exit 1 with file and pointer, no stack trace", async () => {
    const dir = path.join(tmp.dir, "bad", "acme");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, "m.json"),
      '{"model_id": "acme/m", "input_schema": {"type": "object", "properties": {"x": {"type": "tensor"}}}}',
    );
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
    // A key the captured schema does not list is a warning by default (the service may know it).
    expect(bad.stdout).toContain(
      "warning /extra  is not a known property of this model's schema; it is sent as is (the service may know it)  [schema unknownProperty]",
    );
    expect(bad.stdout).toContain("invalid: 1 problem");
    const strict = await cli(
      "validate",
      "bytedance/dreamina-4-0/edit",
      input,
      "--no-probe",
      "--unknown-properties",
      "error",
    );
    expect(strict.stdout).toContain("error   /extra  is not a known property of this model  [schema unknownProperty]");
    expect(strict.stdout).toContain("invalid: 2 problems");
    const json = await cli("validate", "bytedance/dreamina-4-0/edit", input, "--no-probe", "--json");
    expect(JSON.parse(json.stdout).issues.map((i: { path: string }) => i.path)).toEqual(["/extra", "/prompt"]);
    const extraOnly = path.join(tmp.dir, "extra.json");
    writeFileSync(extraOnly, JSON.stringify({ prompt: "p", image_urls: ["https://example.com/a.png"], extra: 1 }));
    expect((await cli("validate", "bytedance/dreamina-4-0/edit", extraOnly, "--no-probe")).code).toBe(0);
    expect(
      (await cli("validate", "bytedance/dreamina-4-0/edit", extraOnly, "--no-probe", "--unknown-properties", "ignore"))
        .stdout,
    ).toMatch(/^valid\nestimated cost: /);
    const fromStdin = await captureCli(["validate", "bytedance/dreamina-4-0/edit", "-", "--no-probe"], {
      stdin: JSON.stringify({ prompt: "p", image_urls: ["https://example.com/a.png"] }),
    });
    expect(fromStdin.code).toBe(0);
    // No price in the seed schema files: the estimate says so rather than guessing.
    expect(fromStdin.stdout).toMatch(
      /^valid\nestimated cost: cannot estimate: no price is recorded for this model .*\n$/,
    );
  });

  it("an unknown model or unreadable input exits 2 (usage) with a message", async () => {
    const r = await cli("validate", "acme/nope", "-", "--no-probe");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown model id "acme/nope"');
    const missing = await cli("validate", "bytedance/dreamina-4-0/edit", path.join(tmp.dir, "nope.json"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read");
  });
});

describe("cli: bad setup is a message, not a stack trace", () => {
  it("a missing schemas folder exits 2; an output folder that is not ours exits 1 and is left alone", async () => {
    const missing = await cli(
      "generate",
      "--schemas",
      path.join(tmp.dir, "no-such-folder"),
      "--out",
      path.join(tmp.dir, "o"),
    );
    expect([missing.code, missing.stderr]).toEqual([
      2,
      `no schemas folder at ${path.join(tmp.dir, "no-such-folder")}\n`,
    ]);
    const foreign = path.join(tmp.dir, "src");
    mkdirSync(foreign, { recursive: true });
    writeFileSync(path.join(foreign, "app.ts"), "precious");
    const refused = await cli("generate", "--schemas", SCHEMAS, "--out", foreign);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not a package generated by runcomfy-codegen; refusing to replace it/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("cli: version, help, exit codes, JSON failures", () => {
  it("--version prints the generator's version", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const flag of ["--version", "-v"])
      expect(await cli(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("every command's --help has examples, the environment variables it reads and the exit codes", async () => {
    const top = await cli("--help");
    expect(top.code).toBe(0);
    const commands = [...top.stdout.matchAll(/^ {2}runcomfy-codegen ([a-z-]+)/gm)].map((m) => m[1]);
    expect(commands).toEqual(
      expect.arrayContaining([
        "generate",
        "lint",
        "validate",
        "run",
        "batch",
        "status",
        "result",
        "cancel",
        "import",
        "pull",
        "models",
        "mcp",
        "openapi",
        "mock-server",
      ]),
    );
    for (const { code, meaning } of EXIT_TABLE) expect(top.stdout).toContain(`${String(code).padStart(3)}  ${meaning}`);
    const readsApi = new Set(["run", "batch", "pull", "models", "status", "result", "cancel", "mcp"]);
    for (const command of commands) {
      const help = await cli(command, "--help");
      expect(help.code, command).toBe(0);
      expect(help.stdout, command).toMatch(new RegExp(`Examples:\\n {2}runcomfy-codegen ${command}\\b`));
      expect(help.stdout, command).toContain("Exit codes:\n    0  success");
      const env = help.stdout.slice(help.stdout.indexOf("Environment:"), help.stdout.indexOf("Exit codes:"));
      expect(env.includes("RUNCOMFY_API_TOKEN") && env.includes("RUNCOMFY_BASE_URL"), command).toBe(
        readsApi.has(command),
      );
      // Every variable the command reads: where the token file is, the cache folder, TERM=dumb.
      expect(env.includes("RUNCOMFY_CONFIG_DIR"), command).toBe(readsApi.has(command));
      expect(env.includes("RUNCOMFY_CODEGEN_CACHE_DIR"), command).toBe(command === "generate");
      expect(env.includes("TERM"), command).toBe(command === "run" || command === "batch");
    }
  });

  it("one exit code per kind of failure, whatever the command: a missing file is 2 in every command", async () => {
    const nope = path.join(tmp.dir, "no-such-file.json");
    expect((await cli("lint", nope)).code).toBe(EXIT.usage);
    expect((await cli("validate", "bytedance/dreamina-4-0/edit", nope)).code).toBe(EXIT.usage);
    expect(
      (await captureCli(["run", "bytedance/dreamina-4-0/edit", nope], { env: { RUNCOMFY_API_TOKEN: "rc-any-token" } }))
        .code,
    ).toBe(EXIT.usage);
    expect((await cli("generate", "--schemas", nope)).code).toBe(EXIT.usage);
    expect((await cli("mock-server", "--faults", nope, "--port", "0")).code).toBe(EXIT.usage);
  });

  it("--json reports failures as one JSON object on stdout, nothing on stderr", async () => {
    const unknown = await cli("validate", "acme/nope", "-", "--json");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("");
    expect(JSON.parse(unknown.stdout)).toEqual({
      error: {
        type: "UnknownModelError",
        message: expect.stringContaining('unknown model id "acme/nope"'),
        exitCode: 2,
      },
    });
    const usage = await cli("validate", "--json", "--bogus");
    expect(JSON.parse(usage.stdout).error).toMatchObject({ type: "UsageError", exitCode: 2 });
    const lintMissing = await cli("lint", "no/such/dir", "--format", "json");
    expect(JSON.parse(lintMissing.stdout).error).toMatchObject({
      type: "UsageError",
      message: "no such file or folder: no/such/dir",
    });
  });
});
