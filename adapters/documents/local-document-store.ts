// The document store of the one-machine home: files under a folder (npm start: OMS_DATA_DIR/documents),
// keyed like the S3 objects. Writes go to a temporary file first and are renamed into place, so a crash
// never leaves half a PDF under a key. Downloads go through the HTTP API's document route.
import { randomUUID } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, resolve, sep } from "node:path";
import type { DocumentStore } from "../../usecases/ports.ts";

export class LocalDocumentStore implements DocumentStore {
  private readonly root: string;

  constructor(directory: string) {
    this.root = resolve(directory);
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    // Keys are built by the OMS (orders/<id>/<location>/<kind>.pdf); refuse anything that escapes the root.
    if (!path.startsWith(this.root + sep)) throw new Error(`document key ${key} leaves the store`);
    return path;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${randomUUID()}.tmp`;
    await writeFile(temporary, body);
    await rename(temporary, path);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(key)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  /** No direct link: the HTTP API streams the file (GET /orders/{orderId}/documents/{documentId}). */
  async downloadUrl(): Promise<undefined> {
    return undefined;
  }
}
