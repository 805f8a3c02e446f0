/**
 * Stage 1, as the incremental run reads it: every schema file known by its content hash, reading
 * only what may have changed since the last run. A file whose size and mtime match the last run's
 * manifest (and whose mtime was already old then) keeps its recorded hash unread; a folder whose
 * mtime matches (adding, removing or renaming an entry changes it) keeps its recorded listing.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { hasOwn } from "../shared/errors.js";
import { contentHash } from "../shared/content-hash.js";
import { assertSchemasDir, isSchemaEntry, readSchemaText } from "./load.js";
import type { JsonLoadError } from "./load-json.js";

/** A schema file known by its content hash; its text is there when it had to be read. */
export interface SchemaSource {
  file: string;
  relPath: string;
  hash: string;
  text?: string;
  /** Read (and hashed) in this run, its text kept only when asked for. */
  read?: boolean;
  /** Why the file could not be read as text (such a file is never recorded in the manifest). */
  error?: JsonLoadError;
}

type FolderListings = Record<string, [mtimeMs: number, entries: string[]]>;

/**
 * Size, mtime and content hash of each schema file as the last run saw them, each folder's mtime
 * and entries (a folder's name ends with "/"), and when that run looked (`at`, epoch ms).
 */
export interface SourceManifest {
  at: number;
  files: Record<string, [size: number, mtimeMs: number, hash: string]>;
  dirs?: FolderListings;
}

/**
 * How long before a run a file's mtime must lie for the run's record of it to be trusted: an edit
 * that keeps the size within one mtime tick of the run (file systems with coarse timestamps) would
 * otherwise go unseen. Newer files are read again (git's "racily clean" entries, the same idea).
 */
const MTIME_SLACK_MS = 2000;

/**
 * Every schema file under `dir` with its content hash (see the header); the others are read.
 * Returns the manifest for the next run too.
 */
export async function readSchemaSources(
  dir: string,
  last: SourceManifest | undefined,
  keepText = true,
): Promise<{ sources: SchemaSource[]; manifest: SourceManifest }> {
  const manifest: SourceManifest = { at: Date.now(), files: {}, dirs: {} };
  const usable = last && typeof last.at === "number" && last.files && typeof last.files === "object";
  const lastFiles = usable ? last.files : {};
  const trustedBefore = usable ? last.at - MTIME_SLACK_MS : Number.NEGATIVE_INFINITY;
  assertSchemasDir(dir);
  const paths = listSchemaFiles(dir, usable && last.dirs ? last.dirs : {}, trustedBefore, manifest.dirs!);
  const sources = paths.map((relPath): SchemaSource => {
    const file = path.join(dir, relPath);
    const st = statSync(file);
    const known = hasOwn(lastFiles, relPath) ? lastFiles[relPath] : undefined;
    if (known && known[0] === st.size && known[1] === st.mtimeMs && st.mtimeMs < trustedBefore) {
      manifest.files[relPath] = known;
      return { file, relPath, hash: known[2] };
    }
    const { text, error } = readSchemaText(file);
    if (error) return { file, relPath, hash: "", error };
    const hash = contentHash(text);
    manifest.files[relPath] = [st.size, st.mtimeMs, hash];
    return keepText ? { file, relPath, hash, text, read: true } : { file, relPath, hash, read: true };
  });
  return { sources, manifest };
}

/** The schema files' paths under `dir`, relative and sorted; `listings` receives each folder's. */
function listSchemaFiles(dir: string, last: FolderListings, trustedBefore: number, listings: FolderListings): string[] {
  const files: string[] = [];
  const visit = (rel: string) => {
    const folder = rel ? path.join(dir, rel) : dir;
    const { mtimeMs } = statSync(folder);
    const known = hasOwn(last, rel) ? last[rel] : undefined;
    const entries =
      known && known[0] === mtimeMs && mtimeMs < trustedBefore && Array.isArray(known[1])
        ? known[1]
        : readdirSync(folder, { withFileTypes: true })
            .filter(isSchemaEntry)
            .map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
    listings[rel] = [mtimeMs, entries];
    for (const name of entries) {
      if (name.endsWith("/")) visit(rel + name);
      else files.push(rel + name);
    }
  };
  visit("");
  return files.sort();
}
