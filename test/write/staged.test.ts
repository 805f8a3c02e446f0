/**
 * The staged write: changed files wait beside the output until the journal is written; a failed run
 * drops them; a run killed after the journal (simulated here by writing the journal and not applying
 * it, or applying half of it) is finished by the next run, which ends with exactly the new tree.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { finishStagedWrite, StagedWrite, stagingDirOf } from "../../generator/write/staged.js";

import { tempDir, readTree } from "../helpers.js";

const tmp = tempDir("rcg-staged-");
afterAll(tmp.cleanup);

function oldTree(name: string): string {
  const out = path.join(tmp.dir, name);
  mkdirSync(path.join(out, "models/a/b"), { recursive: true });
  writeFileSync(path.join(out, "package.json"), "old");
  writeFileSync(path.join(out, "models/a/b/gone.js"), "gone");
  writeFileSync(path.join(out, "models/a/keep.js"), "keep");
  return out;
}

const newTree = { "models/a/keep.js": "keep", "models/c/new.js": "new", "package.json": "new" };

describe("staged write", () => {
  it("commits the changed files and removals; emptied folders go too", async () => {
    const out = oldTree("commit");
    const w = new StagedWrite(out);
    w.write("package.json", "new");
    w.write("models/c/new.js", "new");
    expect(readFileSync(path.join(out, "package.json"), "utf8")).toBe("old");
    w.commit(["models/a/b/gone.js"]);
    expect(Object.fromEntries(await readTree(out))).toEqual(newTree);
    expect(existsSync(path.join(out, "models/a/b"))).toBe(false);
    expect(existsSync(stagingDirOf(out))).toBe(false);
  });

  it("an aborted or uncommitted write leaves the output as it was", async () => {
    const out = oldTree("abort");
    const before = await readTree(out);
    const w = new StagedWrite(out);
    w.write("package.json", "new");
    w.abort();
    expect(await readTree(out)).toEqual(before);
    new StagedWrite(out).write("package.json", "new"); // killed before its commit
    finishStagedWrite(out);
    expect(await readTree(out)).toEqual(before);
    expect(existsSync(stagingDirOf(out))).toBe(false);
  });

  it("a write killed after its journal, even halfway through applying it, is finished by the next run", async () => {
    for (const halfway of [false, true]) {
      const out = oldTree(`journal-${halfway}`);
      const w = new StagedWrite(out);
      w.write("package.json", "new");
      w.write("models/c/new.js", "new");
      const staging = stagingDirOf(out);
      writeFileSync(
        path.join(staging, ".journal.json"),
        JSON.stringify({ put: ["package.json", "models/c/new.js"], remove: ["models/a/b/gone.js"] }),
      );
      if (halfway) renameSync(path.join(staging, "package.json"), path.join(out, "package.json"));
      finishStagedWrite(out);
      expect(Object.fromEntries(await readTree(out))).toEqual(newTree);
      expect(existsSync(staging)).toBe(false);
    }
  });

  it("folders the output does not have move in whole, also when a killed apply had moved one already", async () => {
    const files = { "models/c/new.js": "new", "models/c/d/deep.js": "deep", "docs/c.md": "doc", "package.json": "p" };
    for (const halfway of [false, true]) {
      const out = path.join(tmp.dir, `cold-${halfway}`);
      const w = new StagedWrite(out);
      for (const [rel, content] of Object.entries(files)) w.write(rel, content);
      const staging = stagingDirOf(out);
      writeFileSync(path.join(staging, ".journal.json"), JSON.stringify({ put: Object.keys(files), remove: [] }));
      if (halfway) {
        mkdirSync(out, { recursive: true });
        renameSync(path.join(staging, "models"), path.join(out, "models"));
      }
      finishStagedWrite(out);
      expect(Object.fromEntries(await readTree(out))).toEqual(files);
      expect(existsSync(staging)).toBe(false);
    }
    // Into an existing tree: a new folder beside existing ones, and files into an existing folder.
    const out = oldTree("mixed");
    const w = new StagedWrite(out);
    w.write("models/a/b/more.js", "more");
    w.write("models/e/f/new.js", "new");
    w.commit([]);
    expect(Object.fromEntries(await readTree(out))).toEqual({
      "models/a/b/gone.js": "gone",
      "models/a/b/more.js": "more",
      "models/a/keep.js": "keep",
      "models/e/f/new.js": "new",
      "package.json": "old",
    });
  });
});
