/** `generate --watch` as a process: a real file watcher, bounded waits, no timing assertions. */
import { spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, SCHEMAS, tempDir } from "../helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

/** The CLI as a child process, with a way to wait (boundedly) until its output matches. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [path.join(ROOT, "dist/generator/cli.js"), ...args], { cwd: ROOT });
  let output = "";
  const waiters: { re: RegExp; from: number; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters])
      if (w.re.test(output.slice(w.from))) waiters.splice(waiters.indexOf(w), 1), w.resolve();
  };
  child.stdout.on("data", (d: Buffer) => ((output += d.toString()), check()));
  child.stderr.on("data", (d: Buffer) => ((output += d.toString()), check()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    /** Resolves when output printed from now on matches; fails after `ms` with what was printed. */
    next(re: RegExp, ms = 30_000): Promise<void> {
      const from = output.length;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${re} within ${ms} ms; output:\n${output}`)), ms);
        waiters.push({ re, from, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}

describe("generate --watch", () => {
  it("regenerates on changes, survives a bad file keeping the last good output, and stops on SIGTERM", async () => {
    const schemas = path.join(tmp.dir, "schemas");
    const out = path.join(tmp.dir, "out");
    cpSync(SCHEMAS, schemas, { recursive: true });
    const cli = startCli(["generate", "--watch", "--schemas", schemas, "--out", out, "--quiet", "--no-cache"]);
    try {
      await cli.next(/watching /);
      expect(cli.output()).toMatch(/^4 models \(4 emitted, 0 cached\), \d+ files written/m);
      const goodPackage = readFileSync(path.join(out, "package.json"), "utf8");

      const newFile = path.join(schemas, "acme", "new-model.json");
      mkdirSync(path.dirname(newFile), { recursive: true });
      const failed = cli.next(/the last good output is kept; waiting for changes\n/);
      writeFileSync(
        newFile,
        JSON.stringify({
          model_id: "acme/new-model",
          input_schema: { type: "object", properties: { x: { type: "tensor" } } },
        }),
      );
      await failed;
      expect(cli.output()).toContain('new-model.json#/input_schema/properties/x/type: unknown type "tensor"');
      expect(readFileSync(path.join(out, "package.json"), "utf8")).toBe(goodPackage);
      expect(existsSync(path.join(out, "models", "acme", "new-model.js"))).toBe(false);

      const fixed = cli.next(/^5 models .* written/m);
      const seed = JSON.parse(readFileSync(path.join(SCHEMAS, "bytedance/dreamina-4-0/edit.json"), "utf8"));
      writeFileSync(newFile, JSON.stringify({ ...seed, model_id: "acme/new-model" }));
      await fixed;
      expect(existsSync(path.join(out, "models", "acme", "new-model.js"))).toBe(true);
      expect(readFileSync(path.join(out, "models.js"), "utf8")).toContain('"acme/new-model"');
    } finally {
      cli.child.kill("SIGTERM");
    }
    expect(await cli.exited).toBe(0);
    expect(cli.output()).not.toMatch(/\n\s+at /);
  });

  it("--watch with --check is a usage error", async () => {
    const cli = startCli(["generate", "--watch", "--check", "--schemas", SCHEMAS, "--out", path.join(tmp.dir, "x")]);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain("cannot be combined with --check");
  });
});
