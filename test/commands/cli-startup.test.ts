/**
 * Start-up loads no command's work: `--version`, `--help` and every command's `--help` import yargs
 * and the commands' options only; the pipeline, linter, client, importer and emulator (and the
 * packages they use) load when their command runs. Checked on the built CLI, as a user runs it, by
 * listing every module the process loads (a module-loader hook), not by timing it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, SCHEMAS, tempDir } from "../helpers.js";

const tmp = tempDir();
afterAll(tmp.cleanup);

const hooks = path.join(tmp.dir, "hooks.mjs");
writeFileSync(
  hooks,
  `import { appendFileSync } from "node:fs";
export async function load(url, context, next) {
  if (!url.startsWith("node:")) appendFileSync(process.env.LOADED_LOG, url + "\\n");
  return next(url, context);
}
`,
);
const register = path.join(tmp.dir, "register.mjs");
writeFileSync(
  register,
  `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`,
);

/** Every module (file URL) the CLI process loaded, relative to the repository. */
function loadedBy(args: string[], env: Record<string, string> = {}): { status: number | null; modules: string[] } {
  const log = path.join(tmp.dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, "");
  const r = spawnSync(process.execPath, ["--import", register, path.join(ROOT, "dist/generator/cli.js"), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env, LOADED_LOG: log },
    encoding: "utf8",
  });
  const root = pathToFileURL(ROOT).href;
  const modules = readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((u) => (u.startsWith(root) ? u.slice(root.length + 1) : u));
  return { status: r.status, modules };
}

/** What only a command's work needs: none of it may load before that command runs. */
const HEAVY = [
  /^dist\/generator\/(generate|compile|compile-pool)\.js$/,
  /^dist\/generator\/(emit|incremental|write|normalize|model|importer|load|ir)\//,
  /^dist\/generator\/lint\/(lint|checks)\.js$/,
  /^dist\/generator\/mock\/emulator\.js$/,
  /^dist\/generator\/runtime\/(client|node|probe|validate|batch|batch-journal)\.js$/,
  /^dist\/generator\/commands\/(run-job|outputs|local-media|watch|batch-run|batch-progress)\.js$/,
  /node_modules\/(ajv|handlebars|@babel|json-schema-to-typescript|ts-morph|esbuild|chokidar|recheck|acorn|entities|@humanwhocodes)\//,
];
const heavyIn = (modules: string[]) => modules.filter((m) => HEAVY.some((h) => h.test(m)));

describe("CLI start-up", () => {
  it("--version and --help load yargs and the commands' options, nothing of any command's work", () => {
    for (const args of [["--version"], ["--help"]]) {
      const r = loadedBy(args);
      expect(r.status, args.join(" ")).toBe(0);
      expect(r.modules.some((m) => m.includes("node_modules/yargs/"))).toBe(true);
      expect(heavyIn(r.modules), args.join(" ")).toEqual([]);
    }
  });

  it("each command's --help loads none of its own work either", () => {
    const commands = ["generate", "lint", "validate", "run", "status", "result", "cancel", "import", "pull", "models"];
    for (const command of [...commands, "mock-server"]) {
      const r = loadedBy([command, "--help"]);
      expect(r.status, command).toBe(0);
      expect(heavyIn(r.modules), command).toEqual([]);
    }
  });

  it("a command loads its own work when it runs (the check above can fail)", () => {
    const r = loadedBy(["lint", path.join(ROOT, "schemas"), "--format", "json"]);
    expect(r.status).toBe(0);
    expect(r.modules).toContain("dist/generator/lint/lint.js");
    expect(r.modules).not.toContain("dist/generator/mock/emulator.js");
    expect(r.modules).not.toContain("dist/generator/generate.js");
  });

  it("generate with nothing changed loads none of the per-model stages (the pipeline, ajv, the validator compiler)", () => {
    const args = ["generate", "--schemas", SCHEMAS, "--out", path.join(tmp.dir, "gen"), "--quiet"];
    const env = { RUNCOMFY_CODEGEN_CACHE_DIR: path.join(tmp.dir, "cache") };
    const PER_MODEL = ["dist/generator/compile.js", "dist/generator/emit/validator.js"];
    const first = loadedBy(args, env);
    expect(first.status).toBe(0);
    // The first run emits every model: it loads them (so the check below can fail).
    expect(first.modules).toEqual(expect.arrayContaining(PER_MODEL));
    const again = loadedBy(args, env);
    expect(again.status).toBe(0);
    for (const m of PER_MODEL) expect(again.modules).not.toContain(m);
    expect(again.modules.filter((m) => m.includes("node_modules/ajv/"))).toEqual([]);
  });
});
