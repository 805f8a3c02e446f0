/**
 * The cache key covers every library whose output is in an emitted file: a new esbuild (which prints
 * the validators) or acorn (whose tokens the compaction reads) must make every cached model a miss.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EMITTING_LIBRARIES, emittingLibraryVersions } from "../../generator/incremental/cache.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-fingerprint-");
afterAll(tmp.cleanup);

/** A package root whose node_modules holds each library at `version`, `overrides` aside. */
function rootWith(name: string, overrides: Record<string, string> = {}): string {
  const root = path.join(tmp.dir, name);
  for (const dep of EMITTING_LIBRARIES) {
    mkdirSync(path.join(root, "node_modules", dep), { recursive: true });
    writeFileSync(
      path.join(root, "node_modules", dep, "package.json"),
      JSON.stringify({ name: dep, version: overrides[dep] ?? "1.0.0" }),
    );
  }
  return root;
}

describe("the generator's fingerprint", () => {
  it("changes with the version of esbuild, acorn, ajv, Babel's builders or generator, or handlebars", () => {
    const base = emittingLibraryVersions(rootWith("base"));
    expect(emittingLibraryVersions(rootWith("same"))).toBe(base);
    for (const dep of ["esbuild", "acorn", "ajv", "@babel/types", "@babel/generator", "handlebars"])
      expect(emittingLibraryVersions(rootWith(dep.replace("/", "_"), { [dep]: "1.0.1" })), dep).not.toBe(base);
  });
});
