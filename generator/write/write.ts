/**
 * What is on disk in the output tree (hashes, from the manifest of the last write where size and
 * mtime still match), the diff against the next tree, and repairs of an interrupted write. The write
 * itself is staged.ts: only changed files are written, committed with a journal.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { contentHash } from "../shared/content-hash.js";
import { GeneratorError, hasOwn } from "../shared/errors.js";
import { walkFiles } from "../shared/walk-files.js";
import { finishStagedWrite } from "./staged.js";

export interface TreeDiff {
  changed: string[];
  added: string[];
  removed: string[];
  unchanged: string[];
}

/** Folders inside the output that are not ours (a consumer's install), never read or removed. */
const FOREIGN = new Set(["node_modules"]);

/** Every file's path under `dir` (relative, "/"-separated, sorted), the consumer's node_modules aside. */
function listTree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return walkFiles(dir, (e, rel) => !(rel === e.name && FOREIGN.has(e.name)) && (e.isDirectory() || e.isFile()));
}

/** Size, mtime and hash of each file as the last write left it. */
export type TreeManifest = Record<string, [size: number, mtimeMs: number, hash: string]>;

/**
 * The hash of every file on disk. A file whose size and mtime match the manifest of the last write
 * is taken at its recorded hash without being read (unchanged files are never rewritten, so they keep
 * their mtime); any other file is read and hashed. `seen` receives each file's size, mtime and hash.
 * With a manifest, only its files are looked at (a stat each, no walk of thousands of folders) unless
 * `walk` asks for every file (--check: a stray file is reported too).
 */
export function hashTree(
  dir: string,
  manifest: TreeManifest | undefined,
  seen: TreeManifest = {},
  walk = false,
): Map<string, string> {
  const out = new Map<string, string>();
  const paths = manifest && !walk ? Object.keys(manifest) : listTree(dir);
  for (const p of paths) {
    const file = path.join(dir, p);
    const known = manifest && hasOwn(manifest, p) ? manifest[p] : undefined;
    // Missing: removed by hand, so written again.
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) continue;
    if (known && st.size === known[0] && st.mtimeMs === known[1]) {
      out.set(p, known[2]);
      seen[p] = known;
      continue;
    }
    const hash = contentHash(readFileSync(file, "utf8"));
    out.set(p, hash);
    seen[p] = [st.size, st.mtimeMs, hash];
  }
  // The manifest's tree is gone (the folder replaced?): look at what is there instead.
  if (manifest && !walk && !out.has("package.json") && existsSync(dir)) return hashTree(dir, manifest, seen, true);
  return out;
}

/**
 * The manifest of a tree just written or verified: size and mtime from disk, hashes as given. Files
 * `seen` before the write with the same hash were linked, not rewritten, and keep their entries.
 */
export function manifestOf(dir: string, hashes: Map<string, string>, seen: TreeManifest = {}): TreeManifest {
  const manifest: TreeManifest = {};
  for (const [p, hash] of hashes) {
    const before = seen[p];
    if (before && before[2] === hash) {
      manifest[p] = before;
      continue;
    }
    const st = statSync(path.join(dir, ...p.split("/")));
    manifest[p] = [st.size, st.mtimeMs, hash];
  }
  return manifest;
}

/** The diff of the next tree (each file's hash) against the files on disk (each one's hash); every list sorted. */
export function diffTree(existing: Map<string, string>, next: Map<string, string>): TreeDiff {
  const diff: TreeDiff = { changed: [], added: [], removed: [], unchanged: [] };
  for (const [p, hash] of next) {
    const old = existing.get(p);
    if (old === undefined) diff.added.push(p);
    else if (old === hash) diff.unchanged.push(p);
    else diff.changed.push(p);
  }
  for (const p of existing.keys()) if (!next.has(p)) diff.removed.push(p);
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

const siblings = (outDir: string) => {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(path.resolve(outDir));
  return { parent, base, previous: path.join(parent, `.${base}.previous`) };
};

/**
 * Repairs what an interrupted write left: a committed staged write is finished (an uncommitted one
 * dropped); a tree swap of an older generator killed between its renames gets its previous tree back.
 */
export async function recoverInterruptedWrite(outDir: string): Promise<void> {
  const { previous } = siblings(outDir);
  if (!existsSync(outDir) && existsSync(previous)) await rename(previous, outDir);
  await rm(previous, { recursive: true, force: true });
  finishStagedWrite(outDir);
}

/** Refuse to replace a folder that is not a generated package: nothing of the user's is lost. */
export async function assertGeneratedDir(outDir: string, existing: Map<string, unknown>): Promise<void> {
  if (!existing.size) return;
  const pkgFile = path.join(outDir, "package.json");
  const pkg = existing.has("package.json") ? readFileSync(pkgFile, "utf8") : undefined;
  if (!pkg || !/"generatedBy"\s*:\s*"runcomfy-codegen/.test(pkg)) {
    throw new GeneratorError(
      `${outDir} exists and is not a package generated by runcomfy-codegen; refusing to replace it (choose another --out or remove it)`,
    );
  }
}
