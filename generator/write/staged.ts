/**
 * A staged write of the changed files of the output tree, committed with a journal: changed and new
 * files are written beside the output (`.<out>.staging/`) as they are emitted, nothing of them kept
 * in memory; the commit writes the journal (the list of files to move in and to remove) with one
 * rename, then applies it, file by file. A run that fails or is killed before the journal exists
 * leaves the old tree untouched; one killed after it is finished by the next run (or
 * `recoverInterruptedWrite`) before anything else, so the tree is the old one or the new one. The cost
 * is proportional to what changed, not to the size of the tree.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const JOURNAL = ".journal.json";

interface Journal {
  put: string[];
  remove: string[];
}

const fileOf = (dir: string, rel: string) => path.join(dir, ...rel.split("/"));

export const stagingDirOf = (outDir: string) =>
  path.join(path.dirname(path.resolve(outDir)), `.${path.basename(path.resolve(outDir))}.staging`);

export class StagedWrite {
  private readonly staging: string;
  private readonly made = new Set<string>();
  private readonly put: string[] = [];
  private started = false;

  constructor(private readonly outDir: string) {
    this.staging = stagingDirOf(outDir);
  }

  /** Writes one new or changed file into the staging folder. */
  write(rel: string, content: string): void {
    if (!this.started) {
      rmSync(this.staging, { recursive: true, force: true });
      mkdirSync(this.staging, { recursive: true });
      this.started = true;
    }
    const target = fileOf(this.staging, rel);
    const dir = path.dirname(target);
    if (!this.made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      this.made.add(dir);
    }
    writeFileSync(target, content);
    this.put.push(rel);
  }

  /** Moves the staged files in and removes `remove`; the journal makes it all-or-nothing across a kill. */
  commit(remove: string[]): void {
    if (!this.put.length && !remove.length) return this.abort();
    if (!this.started) mkdirSync(this.staging, { recursive: true });
    const journal: Journal = { put: this.put, remove };
    writeFileSync(path.join(this.staging, `${JOURNAL}.tmp`), JSON.stringify(journal));
    // The commit point: from here on, the next run finishes the write instead of discarding it.
    renameSync(path.join(this.staging, `${JOURNAL}.tmp`), path.join(this.staging, JOURNAL));
    applyJournal(this.outDir, this.staging, journal);
  }

  /** Drops what was staged (a failed run): the output is untouched. */
  abort(): void {
    if (this.started) rmSync(this.staging, { recursive: true, force: true });
  }
}

function applyJournal(outDir: string, staging: string, journal: Journal): void {
  mkdirSync(outDir, { recursive: true });
  /** Output folders known to exist, by path relative to the output. */
  const present = new Set<string>([""]);
  for (const rel of journal.put) {
    const from = fileOf(staging, rel);
    // Moved already by an interrupted apply (alone or with its folder): the journal is replayed from the start.
    if (!existsSync(from)) continue;
    const movedWithFolder = moveNewFolder(outDir, staging, rel, present);
    if (!movedWithFolder) renameSync(from, fileOf(outDir, rel));
  }
  for (const rel of journal.remove) {
    rmSync(fileOf(outDir, rel), { force: true });
    // Folders the removal emptied go too (up to the output folder).
    for (
      let dir = path.dirname(fileOf(outDir, rel));
      dir.length > path.resolve(outDir).length;
      dir = path.dirname(dir)
    ) {
      try {
        rmdirSync(dir);
      } catch {
        break;
      }
    }
  }
  rmSync(staging, { recursive: true, force: true });
}

/**
 * The highest folder of `rel` the output does not have yet moves in whole, with every staged file in
 * it (a cold run moves a few folders instead of every file, then removing as many emptied folders
 * from the staging area); false when the output has all of the file's folders.
 */
function moveNewFolder(outDir: string, staging: string, rel: string, present: Set<string>): boolean {
  const parts = rel.split("/");
  for (let i = 1; i < parts.length; i++) {
    const folder = parts.slice(0, i).join("/");
    if (present.has(folder)) continue;
    if (!existsSync(fileOf(outDir, folder))) {
      renameSync(fileOf(staging, folder), fileOf(outDir, folder));
      present.add(folder);
      return true;
    }
    present.add(folder);
  }
  return false;
}

/** Finishes a committed write a killed run left (its journal exists), or drops an uncommitted one. */
export function finishStagedWrite(outDir: string): void {
  const staging = stagingDirOf(outDir);
  if (!existsSync(staging)) return;
  let journal: Journal | undefined;
  try {
    journal = JSON.parse(readFileSync(path.join(staging, JOURNAL), "utf8")) as Journal;
  } catch {
    journal = undefined;
  }
  if (journal) applyJournal(outDir, staging, journal);
  else rmSync(staging, { recursive: true, force: true });
}
