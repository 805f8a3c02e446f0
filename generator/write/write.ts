/**
 * Writes the generated tree atomically: the new tree is built beside the old one (unchanged files
 * hard-linked, so they keep their inode and mtime), then swapped in with renames. A failed or killed
 * run leaves the old tree; a run killed between the two renames is repaired by the next run.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, linkSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { GeneratorError } from "../shared/errors.js";

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
  const paths: string[] = [];
  if (!existsSync(dir)) return paths;
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (!rel && FOREIGN.has(e.name)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else if (e.isFile()) paths.push(r);
    }
  };
  walk(dir, "");
  return paths.sort();
}

/** Every file's content. */
export async function readTree(dir: string): Promise<Map<string, string>> {
  return new Map(listTree(dir).map((p) => [p, readFileSync(path.join(dir, ...p.split("/")), "utf8")]));
}

export const contentHash = (text: string) => createHash("sha1").update(text).digest("hex");

/** Size, mtime and hash of each file as the last write left it. */
export type TreeManifest = Record<string, [size: number, mtimeMs: number, hash: string]>;

/**
 * The hash of every file on disk. A file whose size and mtime match the manifest of the last write
 * is taken at its recorded hash without being read (unchanged files are hard-linked, so they keep
 * their mtime); any other file is read and hashed. `seen` receives each file's size, mtime and hash.
 */
export function hashTree(dir: string, manifest: TreeManifest | undefined, seen: TreeManifest = {}): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of listTree(dir)) {
    const file = path.join(dir, ...p.split("/"));
    const known = manifest?.[p];
    const st = statSync(file);
    const hash = known && st.size === known[0] && st.mtimeMs === known[1] ? known[2] : contentHash(readFileSync(file, "utf8"));
    out.set(p, hash);
    seen[p] = [st.size, st.mtimeMs, hash];
  }
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

/** A file of the next tree: its hash, and its content unless it is already on disk unchanged. */
export interface OutputFile {
  hash: string;
  content?: string;
}

export function diffTree(existing: Map<string, string>, next: Map<string, OutputFile>): TreeDiff {
  const diff: TreeDiff = { changed: [], added: [], removed: [], unchanged: [] };
  for (const [p, file] of next) {
    const old = existing.get(p);
    if (old === undefined) diff.added.push(p);
    else if (old === file.hash) diff.unchanged.push(p);
    else diff.changed.push(p);
  }
  for (const p of existing.keys()) if (!next.has(p)) diff.removed.push(p);
  for (const list of Object.values(diff)) list.sort();
  return diff;
}

const siblings = (outDir: string) => {
  const parent = path.dirname(path.resolve(outDir));
  const base = path.basename(path.resolve(outDir));
  return { parent, base, staging: path.join(parent, `.${base}.staging`), previous: path.join(parent, `.${base}.previous`) };
};

/** Repairs what an interrupted swap left: put the previous tree back if the new one never arrived. */
export async function recoverInterruptedWrite(outDir: string): Promise<void> {
  const { staging, previous } = siblings(outDir);
  if (!existsSync(outDir) && existsSync(previous)) await rename(previous, outDir);
  await rm(staging, { recursive: true, force: true });
  await rm(previous, { recursive: true, force: true });
}

/** Refuse to replace a folder that is not a generated package: nothing of the user's is lost. */
export async function assertGeneratedDir(outDir: string, existing: Map<string, unknown>): Promise<void> {
  if (!existing.size) return;
  const pkgFile = path.join(outDir, "package.json");
  const pkg = existing.has("package.json") ? readFileSync(pkgFile, "utf8") : undefined;
  if (!pkg || !/"generatedBy"\s*:\s*"runcomfy-codegen/.test(pkg)) {
    throw new GeneratorError(`${outDir} exists and is not a package generated by runcomfy-codegen; refusing to replace it (choose another --out or remove it)`);
  }
}

/** Writes `files` as the new tree (per `diff`, against what is on disk). */
export async function writeTree(outDir: string, files: Map<string, OutputFile>, diff: TreeDiff): Promise<void> {
  if (!diff.changed.length && !diff.added.length && !diff.removed.length) return;
  const { staging, previous } = siblings(outDir);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const unchanged = new Set(diff.unchanged);
  const paths = [...files.keys()].sort();
  // Folders first, once each; then files, many at a time.
  const dirs = new Set(paths.map((rel) => path.dirname(path.join(staging, ...rel.split("/")))));
  for (const dir of [...dirs].sort()) mkdirSync(dir, { recursive: true });
  // Synchronous: thousands of small link/write calls are much faster without thread-pool round trips.
  for (const rel of paths) {
    const target = path.join(staging, ...rel.split("/"));
    if (unchanged.has(rel)) {
      const current = path.join(outDir, ...rel.split("/"));
      try {
        linkSync(current, target);
      } catch {
        // No hard links here (another file system): copy the same bytes instead.
        copyFileSync(current, target);
      }
      continue;
    }
    const content = files.get(rel)!.content;
    if (content === undefined) throw new Error(`internal: no content for changed file ${rel}`);
    writeFileSync(target, content);
  }
  // Carry over a consumer's node_modules untouched.
  for (const name of FOREIGN) {
    if (existsSync(path.join(outDir, name))) await rename(path.join(outDir, name), path.join(staging, name));
  }
  if (existsSync(outDir)) await rename(outDir, previous);
  await rename(staging, outDir);
  rmSync(previous, { recursive: true, force: true });
}
