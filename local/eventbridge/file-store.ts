// Durable files for the local EventBridge: an atomically replaced JSON snapshot for low-rate state (buses,
// rules, connections) and an append-only JSON-lines journal for high-rate keyed records (pending
// deliveries, dead letters), so PutEvents appends a line instead of rewriting a file. Both survive a crash
// mid-write: snapshots are written to a temporary file and renamed; a torn last journal line is skipped.
import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export async function writeFileAtomic(path: string, data: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, data);
  await rename(temporary, path);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/** A JSON document rewritten whole; concurrent saves coalesce into as few writes as possible. */
export class SnapshotFile {
  private dirty = false;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly path: string,
    private readonly render: () => unknown,
  ) {}

  async load(): Promise<unknown> {
    const text = await readIfExists(this.path);
    return text === undefined ? undefined : JSON.parse(text);
  }

  /** Resolves once a write that started after this call has completed. */
  save(): Promise<void> {
    this.dirty = true;
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await writeFileAtomic(this.path, JSON.stringify(this.render()));
      }
    } finally {
      this.flushing = undefined;
    }
  }
}

type JournalLine<T> = { put: T } | { del: string };

export interface JournalOptions<T> {
  /** Parses a record read back from disk; undefined drops it. */
  parse: (value: unknown) => T | undefined;
  /** Compacts when the file holds this many lines more than there are live records. */
  compactAfterLines?: number;
}

/**
 * Keyed records as an append-only log of puts and deletes. Writes issued in the same tick go to disk in
 * one append; the file is rewritten with only the live records when stale lines pile up.
 */
export class KeyedJournal<T extends { id: string }> {
  private readonly live = new Map<string, T>();
  private handle: FileHandle | undefined;
  private lineCount = 0;
  private buffer: string[] = [];
  private flushing: Promise<void> | undefined;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly compactAfterLines: number;

  constructor(
    private readonly path: string,
    private readonly options: JournalOptions<T>,
  ) {
    this.compactAfterLines = options.compactAfterLines ?? 10_000;
  }

  /** Replays the file, compacts it, and returns the live records. */
  async open(): Promise<T[]> {
    const text = (await readIfExists(this.path)) ?? "";
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      let entry: unknown;
      try {
        entry = JSON.parse(line);
      } catch {
        continue; // a torn final line from a crash mid-append
      }
      if (typeof entry !== "object" || entry === null) continue;
      if ("del" in entry && typeof entry.del === "string") {
        this.live.delete(entry.del);
      } else if ("put" in entry) {
        const record = this.options.parse(entry.put);
        if (record) this.live.set(record.id, record);
      }
    }
    await this.serial(() => this.compact());
    return [...this.live.values()];
  }

  put(record: T): Promise<void> {
    this.live.set(record.id, record);
    return this.append({ put: record });
  }

  delete(id: string): Promise<void> {
    if (!this.live.delete(id)) return Promise.resolve();
    return this.append({ del: id });
  }

  /** Flushes pending appends and closes the file. */
  async close(): Promise<void> {
    await this.serial(async () => {
      await this.handle?.close();
      this.handle = undefined;
    });
  }

  private append(line: JournalLine<T>): Promise<void> {
    this.buffer.push(`${JSON.stringify(line)}\n`);
    this.flushing ??= this.serial(() => this.writeBuffered());
    return this.flushing;
  }

  private async writeBuffered(): Promise<void> {
    this.flushing = undefined;
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length === 0) return;
    this.handle ??= await open(this.path, "a");
    await this.handle.appendFile(lines.join(""));
    this.lineCount += lines.length;
    if (this.lineCount - this.live.size > this.compactAfterLines) await this.compact();
  }

  private async compact(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const lines = [...this.live.values()].map((record) => `${JSON.stringify({ put: record })}\n`);
    await writeFileAtomic(this.path, lines.join(""));
    this.lineCount = lines.length;
  }

  private serial<R>(task: () => Promise<R>): Promise<R> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
