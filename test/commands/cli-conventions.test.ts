/**
 * The CLI behaves as the ecosystem's tools do (issue 25 §3), through the CLI's own process: commands
 * that need no generated package work from any folder, `--json` prints one document, the config is
 * found from subfolders, colours follow NO_COLOR/FORCE_COLOR, the cache lives in the user's project,
 * hints name the command that works there, and Ctrl-C on `generate --watch` exits 130.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../generator/mock/emulator.js";
import { NOTE_CODES, type NoteCode } from "../../generator/shared/notes.js";
import { walkFiles } from "../../generator/shared/walk-files.js";
import { QUIRKS, ROOT, SCHEMAS, tempDir } from "../helpers.js";
import { CLI, runCliProcess, spawnCli } from "./cli-process.js";

const TOKEN = "rc-conventions-token-71c";
const T2V = "bytedance/dreamina-3-0/pro/text-to-video";
const tmp = tempDir("rcg-conventions-");
/** The environment of every run: the token, and no cache or colour settings inherited from the test's own. */
const ENV = {
  RUNCOMFY_API_TOKEN: TOKEN,
  RUNCOMFY_CODEGEN_CACHE_DIR: undefined,
  NO_COLOR: undefined,
  FORCE_COLOR: undefined,
};
let emulator: Emulator;
let queued: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs: 0, runMs: 0 });
  queued = await startEmulator({ schemasDir: SCHEMAS, token: TOKEN, queueMs: 600_000, runMs: 0 });
});
afterAll(async () => {
  await Promise.all([emulator.close(), queued.close()]);
  tmp.cleanup();
});

const submit = async (e: Emulator) => {
  const res = await fetch(`${e.baseUrl}/models/${T2V}`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: '{"prompt":"a glass teapot"}',
  });
  return ((await res.json()) as { request_id: string }).request_id;
};
const folder = (name: string) => {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  return dir;
};

describe("commands without a generated package", () => {
  it("status, result, cancel and models work from an empty folder", async () => {
    const empty = folder("empty");
    const done = await submit(emulator);
    await expect.poll(() => emulator.job(done)?.status).toBe("completed");
    const base = ["--base-url", emulator.baseUrl];
    const status = await runCliProcess(["status", done, ...base], ENV, undefined, empty);
    expect([status.code, status.stdout, status.stderr]).toEqual([0, "completed\n", ""]);
    const result = await runCliProcess(["result", done, ...base], ENV, undefined, empty);
    expect([result.code, result.stdout]).toEqual([0, `video\t${emulator.origin}/media/${done}/video.mp4\n`]);
    const waiting = await submit(queued);
    const cancel = await runCliProcess(["cancel", waiting, "--base-url", queued.baseUrl], ENV, undefined, empty);
    expect([cancel.code, cancel.stdout]).toEqual([0, `cancelled ${waiting}\n`]);
    const models = await runCliProcess(["models", ...base], ENV, undefined, empty);
    expect(models.code).toBe(0);
    expect(models.stdout).toContain(T2V);
  });
});

describe("run --json --download", () => {
  it("prints one JSON document, the failed download inside it, and exits 1", async () => {
    const input = path.join(folder("run-json"), "in.json");
    writeFileSync(input, '{"prompt":"a glass teapot"}');
    const out = path.join(tmp.dir, "run-json", "out");
    // The emulator's media is on 127.0.0.1: the address guard refuses it without --allow-private-network.
    const r = await runCliProcess(
      ["run", T2V, input, "--base-url", emulator.baseUrl, "--json", "--download", out],
      ENV,
    );
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      requestId: expect.any(String),
      output: { video: expect.stringContaining("/media/") },
      downloads: {
        saved: [],
        failed: [{ key: "video", url: doc.output.video, code: "refused", error: expect.stringContaining("127.0.0.1") }],
      },
    });
    expect(r.stderr).toContain("1 of 1 downloads failed");
    const ok = await runCliProcess(
      ["run", T2V, input, "--base-url", emulator.baseUrl, "--json", "--download", out, "--allow-private-network"],
      ENV,
    );
    expect(ok.code).toBe(0);
    const saved = JSON.parse(ok.stdout).downloads.saved;
    expect(saved).toHaveLength(1);
    expect(existsSync(saved[0].path)).toBe(true);
  });
});

describe("--no-allow-data-uris", () => {
  it("validate has it and refuses a data URI with it; the README names the command that has it", async () => {
    const input = path.join(folder("data-uri"), "in.json");
    const png =
      "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
    writeFileSync(input, JSON.stringify({ prompt: "a boat", image_urls: [png] }));
    const edit = "bytedance/dreamina-4-0/edit";
    expect((await runCliProcess(["validate", edit, input, "--no-probe"], ENV)).code).toBe(0);
    const refused = await runCliProcess(["validate", edit, input, "--no-probe", "--no-allow-data-uris"], ENV);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain("/image_urls/0");
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const m of readme.matchAll(/`([a-z-]+ )?--no-allow-data-uris`/g)) expect(m[1]).toBe("validate ");
    expect(readme).toContain("`validate --no-allow-data-uris`");
  });
});

describe("the config, the cache and hints in a user's project", () => {
  it("the config is found from a subfolder, the cache is in the project's node_modules, hints say npx", async () => {
    const project = folder("project");
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    cpSync(SCHEMAS, path.join(project, "model-schemas"), { recursive: true });
    writeFileSync(
      path.join(project, "runcomfy-codegen.config.json"),
      JSON.stringify({ schemas: "model-schemas", output: "src/runcomfy" }),
    );
    const sub = path.join(project, "src", "feature");
    mkdirSync(sub, { recursive: true });
    const gen = await runCliProcess(["generate"], ENV, undefined, sub);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/^4 models/);
    expect(existsSync(path.join(project, "src/runcomfy/package.json"))).toBe(true);
    expect(existsSync(path.join(project, "node_modules/.cache/runcomfy-codegen"))).toBe(true);
    // The generated files leave this repository: their "do not edit" lines say the command that works there.
    const generated = walkFiles(path.join(project, "src/runcomfy"));
    const texts = generated.map((f) => readFileSync(path.join(project, "src/runcomfy", f), "utf8"));
    expect(texts.filter((t) => t.includes("npm run generate"))).toEqual([]);
    expect(texts.filter((t) => t.includes("npx runcomfy-codegen generate")).length).toBeGreaterThan(10);
    // A second run from the project's root reuses that cache.
    const again = await runCliProcess(["generate"], ENV, undefined, project);
    expect(again.stdout).toMatch(/^4 models \(0 emitted, 4 cached\)/);

    const input = path.join(sub, "in.json");
    writeFileSync(input, '{"prompt":"x"}');
    const missing = await runCliProcess(["validate", T2V, input, "--package", "nowhere"], ENV, undefined, sub);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("(run `npx runcomfy-codegen generate` first)");
    const here = await runCliProcess(["validate", T2V, input, "--package", "nowhere"], ENV);
    expect(here.stderr).toContain("(run `npm run generate` first)");
    writeFileSync(
      path.join(project, "package.json"),
      JSON.stringify({ name: "app", scripts: { generate: "runcomfy-codegen generate" } }),
    );
    const scripted = await runCliProcess(["validate", T2V, input, "--package", "nowhere"], ENV, undefined, sub);
    expect(scripted.stderr).toContain("(run `npm run generate` first)");
  });
});

describe("colours", () => {
  const quirky = path.join(QUIRKS, "acme/quirky/all-quirks.json");
  const lint = ["lint", quirky, "--format", "stylish"];
  const coloured = (text: string) => text.includes("\x1b[");

  it("FORCE_COLOR colours output that is not a terminal; 0 and false do not", async () => {
    expect(coloured((await runCliProcess(lint, ENV)).stdout)).toBe(false);
    expect(coloured((await runCliProcess(lint, { ...ENV, FORCE_COLOR: "1" })).stdout)).toBe(true);
    expect(coloured((await runCliProcess(lint, { ...ENV, FORCE_COLOR: "" })).stdout)).toBe(true);
    expect(coloured((await runCliProcess(lint, { ...ENV, FORCE_COLOR: "0" })).stdout)).toBe(false);
    expect(coloured((await runCliProcess(lint, { ...ENV, FORCE_COLOR: "false" })).stdout)).toBe(false);
    expect(coloured((await runCliProcess(lint, { ...ENV, FORCE_COLOR: "1", NO_COLOR: "1" })).stdout)).toBe(true);
  });

  // A real terminal through `script` (Debian's bsdutils; .ci/run installs it when missing).
  it("in a terminal, NO_COLOR counts only when non-empty", async () => {
    if (spawnSync("script", ["--version"]).status !== 0)
      throw new Error("`script` is missing: install Debian's bsdutils (apt-get install -y bsdutils; .ci/run does it)");
    const inTerminal = (env: Record<string, string | undefined>) =>
      new Promise<string>((resolve) => {
        const cmd = [process.execPath, CLI, ...lint].map((a) => `'${a}'`).join(" ");
        const p = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: ROOT, env: { ...process.env, ...env } });
        let out = "";
        p.stdout.on("data", (d: Buffer) => (out += d.toString()));
        p.on("exit", () => resolve(out));
      });
    expect(coloured(await inTerminal({ ...ENV, TERM: "xterm" }))).toBe(true);
    expect(coloured(await inTerminal({ ...ENV, TERM: "xterm", NO_COLOR: "" }))).toBe(true);
    expect(coloured(await inTerminal({ ...ENV, TERM: "xterm", NO_COLOR: "1" }))).toBe(false);
    expect(coloured(await inTerminal({ ...ENV, TERM: "xterm", FORCE_COLOR: "0" }))).toBe(false);
  });
});

describe("generate", () => {
  it("Ctrl-C on generate --watch exits 130, as the exit-code table says", async () => {
    const schemas = path.join(folder("watch"), "schemas");
    cpSync(SCHEMAS, schemas, { recursive: true });
    const out = path.join(tmp.dir, "watch", "out");
    const cli = spawnCli(["generate", "--watch", "--schemas", schemas, "--out", out, "--no-cache"], ENV, /watching /);
    await cli.seen;
    cli.child.kill("SIGINT");
    expect(await cli.exited).toBe(130);
    const help = await runCliProcess(["--help"], ENV);
    expect(help.stdout).toMatch(/130\s+interrupted \(Ctrl-C\)/);
  });

  it("plain generate prints the notes the README says: one line per kind, warnings then infos, and the hint", async () => {
    const schemas = path.join(folder("notes"), "schemas");
    cpSync(SCHEMAS, schemas, { recursive: true });
    cpSync(QUIRKS, schemas, { recursive: true });
    const r = await runCliProcess(["generate", "--schemas", schemas, "--out", path.join(tmp.dir, "notes", "out")], ENV);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("(--verbose lists each with its file and JSON pointer)");
    const kinds = lines.slice(0, -1).map((l) => /^(warning|info): (.+): (\d+) \[([a-z-]+)\]$/.exec(l));
    expect(
      kinds.every((k) => k !== null),
      r.stderr,
    ).toBe(true);
    for (const k of kinds) expect(NOTE_CODES[k![4] as NoteCode].summary).toBe(k![2]);
    const severities = kinds.map((k) => k![1]);
    expect(severities).toEqual([...severities].sort((a, b) => (a === b ? 0 : a === "warning" ? -1 : 1)));
    expect(new Set(severities)).toEqual(new Set(["warning", "info"]));
    // The README's example line is one of them, word for word but the count.
    const readme = readFileSync(path.join(ROOT, "README.md"), "utf8").replace(/\s+/g, " ");
    const example = /`(warning: [^`]+: )\d+( \[[a-z-]+\])`/.exec(readme);
    expect(example).not.toBeNull();
    expect(lines.some((l) => l.startsWith(example![1]) && l.endsWith(example![2]))).toBe(true);
    expect(readme).toContain("then infos");
    expect(readme).toContain("`(--verbose lists each with its file and JSON pointer)`");
  });
});
