/**
 * The output tree's manifest: the last write's manifest is handed on as it is when the run wrote and
 * removed nothing and found every file as that manifest has it; any write, removal or hand edit
 * gives a new one that describes the disk.
 */
import { statSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OutputTree } from "../../generator/write/output-tree.js";
import type { TreeManifest } from "../../generator/write/write.js";
import { tempDir } from "../helpers.js";

const tmp = tempDir("rcg-output-tree-");
afterAll(tmp.cleanup);

const PACKAGE_JSON = '{"generatedBy":"runcomfy-codegen test"}\n';

/** One run writing `files`; returns the manifest it leaves. */
async function run(out: string, files: Record<string, string>, lastManifest?: TreeManifest) {
  const tree = await OutputTree.open(out, { lastManifest });
  for (const [p, content] of Object.entries(files)) tree.put(p, content);
  const diff = await tree.commit();
  return { diff, manifest: tree.manifest()! };
}

describe("the output tree's manifest", () => {
  it("is handed on unchanged by a run that changed nothing, and renewed by one that did", async () => {
    const out = path.join(tmp.dir, "out");
    const files = { "package.json": PACKAGE_JSON, "models/a.js": "a\n", "models/b.js": "b\n" };
    const first = await run(out, files);
    expect(Object.keys(first.manifest).sort()).toEqual(["models/a.js", "models/b.js", "package.json"]);

    const same = await run(out, files, first.manifest);
    expect(same.diff.unchanged).toHaveLength(3);
    expect(same.manifest).toBe(first.manifest);

    // A file edited by hand (its mtime moved): restored, and the manifest says what is on disk now.
    const edited = path.join(out, "models/a.js");
    writeFileSync(edited, "A\n");
    utimesSync(edited, new Date(), new Date(Date.now() + 5000));
    const restored = await run(out, files, same.manifest);
    expect(restored.diff.changed).toEqual(["models/a.js"]);
    expect(restored.manifest).not.toBe(same.manifest);
    expect(restored.manifest["models/a.js"]).toEqual([2, statSync(edited).mtimeMs, expect.any(String)]);

    // A file gone from the tree: removed, and out of the manifest.
    const fewer = await run(out, { "package.json": PACKAGE_JSON, "models/a.js": "a\n" }, restored.manifest);
    expect(fewer.diff.removed).toEqual(["models/b.js"]);
    expect(Object.keys(fewer.manifest).sort()).toEqual(["models/a.js", "package.json"]);
  });
});
