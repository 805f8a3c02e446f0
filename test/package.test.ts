/**
 * The generated package as a user gets it: `npm pack`, installed into a fresh project (offline: the
 * package has no dependencies), typechecked, and run under plain Node ESM.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generate } from "../generator/generate.js";
import { ROOT, schemasWithQuirks, tempDir } from "./helpers.js";

const tmp = tempDir("rcg-pkg-");
afterAll(tmp.cleanup);
const project = path.join(tmp.dir, "app");
const npm = (args: string[], cwd: string) =>
  execFileSync("npm", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, npm_config_update_notifier: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });

let snippets: string[] = [];

/** The ```ts blocks of the package's README and docs pages. */
function docSnippets(pkg: string): string[] {
  const pages = [
    path.join(pkg, "README.md"),
    ...readdirSync(path.join(pkg, "docs"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".md"))
      .map((f) => path.join(pkg, "docs", f)),
  ];
  return pages.flatMap((page) => [...readFileSync(page, "utf8").matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]));
}

beforeAll(async () => {
  const out = path.join(tmp.dir, "generated");
  await generate({ schemasDir: schemasWithQuirks(tmp.dir), outDir: out });
  npm(["pack", "--pack-destination", tmp.dir], out);
  const tarball = readdirSync(tmp.dir).find((f) => f.endsWith(".tgz"))!;
  cpSync(path.join(ROOT, "test/fixtures/consumer"), project, { recursive: true });
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
  npm(["install", "--offline", "--no-audit", "--no-fund", path.join(tmp.dir, tarball)], project);
  // The published Standard Schema types, for the consumer file that checks `standardSchema` against them.
  cpSync(
    path.join(ROOT, "node_modules/@standard-schema/spec"),
    path.join(project, "node_modules/@standard-schema/spec"),
    { recursive: true },
  );
  // Every TypeScript snippet of the installed package's docs, one module each, typechecked with the rest.
  snippets = docSnippets(path.join(project, "node_modules/runcomfy-models"));
  snippets.forEach((code, i) => writeFileSync(path.join(project, `snippet-${i}.ts`), `${code}\nexport {};\n`));
  writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        lib: ["ES2022", "DOM"],
        types: [],
      },
      files: ["usage.ts", "standard-schema.ts", ...snippets.map((_, i) => `snippet-${i}.ts`)],
    }),
  );
});

describe("the packed package", () => {
  it("typechecks: correct inputs compile; wrong key, enum value, missing field and unknown id fail", () => {
    const tsc = path.join(ROOT, "node_modules/typescript/bin/tsc");
    let output = "";
    try {
      output = execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
    } catch (e) {
      output = (e as { stdout: string }).stdout;
      throw new Error(`tsc failed:\n${output}`);
    }
    expect(output).toBe("");
    // Each model's docs page has a usage snippet, and every snippet compiled above.
    expect(snippets.filter((code) => code.includes("client.run(")).length).toBe(5);
    // The @ts-expect-error lines must be real errors: removing one directive makes tsc fail.
    const usage = readFileSync(path.join(project, "usage.ts"), "utf8");
    writeFileSync(
      path.join(project, "usage.ts"),
      usage.replace("// @ts-expect-error a misspelled key is a type error\n", ""),
    );
    let failed = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8" });
    } catch (e) {
      failed = (e as { stdout: string }).stdout;
    }
    writeFileSync(path.join(project, "usage.ts"), usage);
    expect(failed).toMatch(/promt/);
  });

  it("runs under plain Node ESM: lazy models, the docs example validates, bad input yields pointers", () => {
    const log = path.join(tmp.dir, "loads.log");
    writeFileSync(log, "");
    const stdout = execFileSync(process.execPath, ["--import", "./register.mjs", "run.mjs"], {
      cwd: project,
      encoding: "utf8",
      env: { ...process.env, LOAD_LOG: log },
    });
    const r = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(r.loadedAfterRoot).toEqual([]);
    expect(r.loadedAfterOne).toHaveLength(1);
    expect(decodeURIComponent(r.loadedAfterOne[0])).toMatch(/models\/bytedance\/dreamina-4-0\/edit\.js$/);
    expect(r.example).toEqual({ valid: true, issues: [] });
    expect(r.bad.valid).toBe(false);
    expect(
      r.bad.issues.map((i: { path: string; keyword: string; severity: string }) => [i.path, i.keyword, i.severity]),
    ).toEqual([
      ["/extra", "unknownProperty", "warning"],
      ["/image_urls/0", "format", "error"],
      ["/prompt", "type", "error"],
      ["/steps", "enum", "error"],
    ]);
    expect(r.unknown).toEqual({ name: "UnknownModelError", isRunComfyError: true });
    expect(r.ids).toContain("acme/quirky/all-quirks");
    // Standard Schema at run time: the docs example passes as itself; bad input gives messages and paths.
    expect(r.standard.vendor).toBe("runcomfy-codegen");
    expect(r.standard.version).toBe(1);
    expect(r.standard.example).toEqual({ value: r.standard.exampleInput });
    // The same errors as validateSchema, each pointer as a key array (array indices as numbers).
    expect(r.standard.bad.issues).toEqual(
      r.standard.schemaErrors.map((i: { path: string; message: string }) => ({
        message: i.message,
        path: i.path
          .slice(1)
          .split("/")
          .map((k) => (/^\d+$/.test(k) ? Number(k) : k)),
      })),
    );
    expect(r.standard.bad.issues).toContainEqual({
      message: expect.stringContaining("https"),
      path: ["image_urls", 0],
    });
    expect(r.standard.bad.issues).toContainEqual({ message: "must be string", path: ["prompt"] });
    expect(r.known).toEqual([true, false, false]);
  });
  it("every named entry resolves to its types under each TypeScript resolution arethetypeswrong checks", () => {
    const pkg = JSON.parse(readFileSync(path.join(project, "node_modules/runcomfy-models/package.json"), "utf8"));
    const entries = Object.keys(pkg.exports).filter((k) => !k.includes("*") && !k.endsWith(".json"));
    // node10 reads no `exports` (a file must stand at the subpath); node16 as an ESM importer; bundler.
    const resolutions: Record<string, [ts.CompilerOptions, ts.ResolutionMode]> = {
      node10: [{ moduleResolution: ts.ModuleResolutionKind.Node10 }, undefined],
      node16: [
        { moduleResolution: ts.ModuleResolutionKind.Node16, module: ts.ModuleKind.Node16 },
        ts.ModuleKind.ESNext,
      ],
      bundler: [{ moduleResolution: ts.ModuleResolutionKind.Bundler, module: ts.ModuleKind.ESNext }, undefined],
    };
    const resolved = Object.entries(resolutions).flatMap(([mode, [options, importMode]]) =>
      entries.map((entry) => {
        const specifier = `runcomfy-models${entry.slice(1)}`;
        const r = ts.resolveModuleName(
          specifier,
          path.join(project, "usage.ts"),
          options,
          ts.sys,
          undefined,
          undefined,
          importMode,
        );
        return [mode, specifier, r.resolvedModule?.extension ?? "unresolved"];
      }),
    );
    expect(resolved).toEqual(
      Object.keys(resolutions).flatMap((mode) =>
        entries.map((entry) => [mode, `runcomfy-models${entry.slice(1)}`, ".d.ts"]),
      ),
    );
    expect(entries).toEqual([".", "./node", "./models"]);
  });
});
