/** The one directory walker: every file under a folder, as sorted "/"-separated relative paths. */
import { readdirSync, type Dirent } from "node:fs";
import path from "node:path";

/**
 * `keep(entry, rel)` is asked of every entry (rel is its path relative to `dir`): a folder it refuses is
 * not entered, any other entry it refuses is left out. Symlinks are listed, never followed.
 * Synchronous: a catalog of path-like ids is thousands of small folders.
 */
export function walkFiles(dir: string, keep: (entry: Dirent, rel: string) => boolean = () => true): string[] {
  const out: string[] = [];
  const walk = (d: string, relDir: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = relDir ? `${relDir}/${e.name}` : e.name;
      if (!keep(e, rel)) continue;
      if (e.isDirectory()) walk(path.join(d, e.name), rel);
      else out.push(rel);
    }
  };
  walk(dir, "");
  return out.sort();
}
