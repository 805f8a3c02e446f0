/**
 * A batch's journal on disk (Node only): one JSON record a line, appended and fsynced before
 * runBatch goes on, so a kill -9 at any moment loses at most a record whose write had not finished
 * (a torn last line, dropped on reopening). Records appended at once share one write and one fsync.
 */
import { open, readFile, type FileHandle } from "node:fs/promises";
import path from "node:path";
import type { BatchJournal, JournalRecord } from "./batch.js";

/** The first line of every journal: what the file is, and its format's version. */
const HEADER = { runcomfy_batch_journal: 1 };

export class BatchJournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BatchJournalError";
  }
}

/** A journal file open for appending. */
export interface FileBatchJournal extends BatchJournal {
  readonly path: string;
  /** Whether the file held records of an earlier run. */
  readonly resumed: boolean;
  close(): Promise<void>;
}

/** Records of a journal's text; a last line cut short by a crash is dropped (with its length, to cut it off). */
function parseJournal(text: string, file: string): { records: JournalRecord[]; completeBytes: number } {
  const end = text.lastIndexOf("\n") + 1;
  const lines = text.slice(0, end).split("\n").slice(0, -1);
  const records: JournalRecord[] = [];
  lines.forEach((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new BatchJournalError(`${file}:${i + 1} is not a journal record (the file is damaged or not a journal)`);
    }
    if (i === 0) {
      if ((value as Record<string, unknown>)?.runcomfy_batch_journal !== HEADER.runcomfy_batch_journal)
        throw new BatchJournalError(`${file} is not a batch journal of this version`);
      return;
    }
    const r = value as JournalRecord;
    if (typeof r?.line !== "number" || typeof r.state !== "string")
      throw new BatchJournalError(`${file}:${i + 1} is not a journal record`);
    records.push(r);
  });
  return { records, completeBytes: Buffer.byteLength(text.slice(0, end)) };
}

/** fsync of a folder, so a file just created in it survives a power loss too. */
async function syncFolder(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Opens the journal at `file`: a new one (refused when one exists, unless `resume`), or, with
 * `resume`, the existing one with its records (a missing file starts a new journal).
 */
export async function openBatchJournal(file: string, options: { resume?: boolean } = {}): Promise<FileBatchJournal> {
  let text: string | undefined;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  if (text !== undefined && text !== "" && !options.resume)
    throw new BatchJournalError(
      `${file} holds the journal of an earlier batch: resume it (--resume), or remove it to start over`,
    );
  const { records, completeBytes } = text ? parseJournal(text, file) : { records: [], completeBytes: 0 };
  return new AppendingJournal(file, records, text === undefined ? undefined : completeBytes);
}

/** The file is created (or its torn tail cut off) at the first append: a batch refused before it leaves nothing. */
class AppendingJournal implements FileBatchJournal {
  private waiting: { text: string; done: () => void; fail: (e: unknown) => void }[] = [];
  private flushing?: Promise<void>;
  private handle?: FileHandle;
  private offset = 0;
  readonly resumed: boolean;

  constructor(
    readonly path: string,
    private readonly earlier: JournalRecord[],
    /** The bytes of whole records in the file there, when there is one. */
    private readonly existingBytes: number | undefined,
  ) {
    this.resumed = earlier.length > 0;
  }

  private async openFile(): Promise<FileHandle> {
    if (this.existingBytes !== undefined && this.existingBytes > 0) {
      const handle = await open(this.path, "r+");
      await handle.truncate(this.existingBytes);
      this.offset = this.existingBytes;
      return handle;
    }
    const handle = await open(this.path, "w");
    const header = Buffer.from(`${JSON.stringify(HEADER)}\n`);
    await handle.write(header, 0, header.length, 0);
    this.offset = header.length;
    await handle.datasync();
    await syncFolder(path.dirname(path.resolve(this.path)));
    return handle;
  }

  records(): readonly JournalRecord[] {
    return this.earlier;
  }

  append(record: JournalRecord): Promise<void> {
    return this.write(`${JSON.stringify(record)}\n`);
  }

  /** Appends a record's text; resolves once it is on disk. Writes waiting meanwhile go out together. */
  private write(text: string): Promise<void> {
    return new Promise((done, fail) => {
      this.waiting.push({ text, done, fail });
      this.flushing ??= this.flush();
    });
  }

  private async flush(): Promise<void> {
    while (this.waiting.length) {
      const group = this.waiting.splice(0);
      try {
        this.handle ??= await this.openFile();
        const bytes = Buffer.from(group.map((w) => w.text).join(""));
        await this.handle.write(bytes, 0, bytes.length, this.offset);
        this.offset += bytes.length;
        await this.handle.datasync();
        for (const w of group) w.done();
      } catch (e) {
        for (const w of group) w.fail(e);
      }
    }
    this.flushing = undefined;
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle?.close();
  }
}
