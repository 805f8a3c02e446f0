import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { walkFiles } from "../../generator/shared/walk-files.js";

const root = mkdtempSync(path.join(tmpdir(), "walk-files-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const f of ["b.json", "a/z.json", "a/b/c.txt", ".hidden/x.json", "node_modules/p/i.js", "a-b.json"]) {
  mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
  writeFileSync(path.join(root, f), "");
}
symlinkSync(path.join(root, "a"), path.join(root, "link"));

describe("walkFiles", () => {
  it("lists every file, sorted, as relative '/' paths; symlinks listed, not followed", () => {
    expect(walkFiles(root)).toEqual([
      ".hidden/x.json",
      "a-b.json",
      "a/b/c.txt",
      "a/z.json",
      "b.json",
      "link",
      "node_modules/p/i.js",
    ]);
  });
  it("does not enter a folder keep refuses, and leaves out files it refuses", () => {
    const keep = (e: { name: string; isDirectory(): boolean }, rel: string) =>
      !e.name.startsWith(".") && rel !== "node_modules" && (e.isDirectory() || e.name.endsWith(".json"));
    expect(walkFiles(root, keep)).toEqual(["a-b.json", "a/z.json", "b.json"]);
  });
});
