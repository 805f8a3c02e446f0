/**
 * Stage 6 — write: the output tree of one run. It knows what is on disk (hashes, from the last
 * write's manifest where size and mtime still match), takes each file of the next tree as it is
 * emitted (kept as its hash only; a changed file is staged at once, see staged.ts), and at the end
 * commits: changed files moved in, files the tree no longer has removed. With --check or --dry-run
 * it stages nothing and only reports the diff.
 */
import { StagedWrite } from "./staged.js";
import {
  assertGeneratedDir,
  diffTree,
  hashTree,
  manifestOf,
  recoverInterruptedWrite,
  type TreeDiff,
  type TreeManifest,
} from "./write.js";
import { contentHash } from "../shared/content-hash.js";

export interface OutputTreeOptions {
  /** The manifest the last write left (size, mtime and hash of each file), if the cache has it. */
  lastManifest?: TreeManifest;
  /** Compare only: write nothing, and walk the whole tree so a stray file is reported too. */
  check?: boolean;
  /** Write nothing. */
  dryRun?: boolean;
}

export class OutputTree {
  /** The next tree: each file's hash (contents are staged or already on disk, never kept). */
  private readonly next = new Map<string, string>();
  private committed = false;
  /** Files staged (new or changed) and removed by the commit. */
  private written = 0;
  private removed = 0;

  private constructor(
    readonly outDir: string,
    /** The hash of every file on disk now. */
    private readonly existing: Map<string, string>,
    /** Size, mtime and hash of the files on disk, as looked at when opened. */
    private readonly seen: TreeManifest,
    private readonly staged: StagedWrite | undefined,
    private readonly lastManifest: TreeManifest | undefined,
  ) {}

  /** Looks at the output folder (after finishing or undoing what an interrupted write left). */
  static async open(outDir: string, options: OutputTreeOptions = {}): Promise<OutputTree> {
    // A run killed between its two renames left the previous tree aside: put it back first (also for --check).
    await recoverInterruptedWrite(outDir);
    const seen: TreeManifest = {};
    // The files the last write left, each stat-ed against its manifest; --check (or no manifest) also walks the tree for strays.
    const existing = hashTree(outDir, options.lastManifest, seen, !!options.check);
    const staged = options.check || options.dryRun ? undefined : new StagedWrite(outDir);
    return new OutputTree(outDir, existing, seen, staged, options.lastManifest);
  }

  /** Whether `rel` is on disk with this hash (a bound function: the cache is handed it). */
  readonly onDisk = (rel: string, hash: string): boolean => this.existing.get(rel) === hash;

  /** Takes a file that is on disk unchanged (`onDisk` said so) into the next tree. */
  keep(rel: string, hash: string): void {
    this.next.set(rel, hash);
  }

  /** Takes files known by their hash: kept where the content is absent (on disk unchanged), else put. */
  take(files: Iterable<[path: string, hash: string, content?: string]>): void {
    for (const [rel, hash, content] of files) {
      if (content === undefined) this.keep(rel, hash);
      else this.put(rel, content);
    }
  }

  /** Puts a file into the next tree: staged unless it is on disk unchanged. Returns its hash. */
  put(rel: string, content: string): string {
    const hash = contentHash(content);
    if (this.existing.get(rel) !== hash) {
      this.staged?.write(rel, content);
      this.written++;
    }
    this.next.set(rel, hash);
    return hash;
  }

  /** What the next tree changes, adds and removes against the disk. */
  diff(): TreeDiff {
    return diffTree(this.existing, this.next);
  }

  /** Drops what was staged (a failed run): the output stays as it was. */
  abort(): void {
    this.staged?.abort();
  }

  /**
   * Makes the next tree the output (unless opened with check or dryRun), refusing to replace a
   * folder that is not a generated package. Returns the diff.
   */
  async commit(): Promise<TreeDiff> {
    const diff = this.diff();
    if (!this.staged) return diff;
    try {
      await assertGeneratedDir(this.outDir, this.existing);
    } catch (e) {
      this.staged.abort();
      throw e;
    }
    this.staged.commit(diff.removed);
    this.removed = diff.removed.length;
    this.committed = true;
    return diff;
  }

  /** What is on disk after the commit, for the next run to trust without reading (unless a file changed since). */
  manifest(): TreeManifest | undefined {
    if (!this.committed) return undefined;
    if (this.lastManifest && this.lastManifestHolds(this.lastManifest)) return this.lastManifest;
    return manifestOf(this.outDir, this.next, this.seen);
  }

  /**
   * Whether the last manifest still describes the tree: nothing written or removed, and every file
   * found as that manifest has it (the same entry, not read again), no more and no fewer.
   */
  private lastManifestHolds(last: TreeManifest): boolean {
    if (this.written || this.removed || this.next.size !== this.existing.size) return false;
    if (Object.keys(last).length !== this.existing.size) return false;
    for (const p of this.existing.keys()) if (this.seen[p] !== last[p]) return false;
    return true;
  }
}
