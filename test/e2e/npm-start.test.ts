// What a newcomer does: `npm start` (here: its script, in a child process on free ports and a temp data
// folder), post the README's sample order, see it SUBMITTED, Ctrl-C, start again and find it still there.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb/dynamodb-local.ts";
import { httpClient } from "../support/test-runtime.ts";

const dataDir = mkdtempSync(join(tmpdir(), "oms-start-"));
let child: ChildProcess | undefined;

afterAll(() => {
  child?.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(port: number, awsPort: number): Promise<{ proc: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ["--import", "tsx", "local/start.ts"], {
    env: {
      ...process.env,
      PORT: String(port),
      OMS_AWS_PORT: String(awsPort),
      OMS_DATA_DIR: dataDir,
      POWERTOOLS_LOG_LEVEL: "WARN",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  proc.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`npm start exited: ${output}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).status === 200)
        return { proc, output: () => output };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`npm start did not become healthy: ${output}`);
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  proc.kill("SIGINT");
  return exited;
}

describe("npm start", () => {
  it("serves the README flow, stops cleanly on Ctrl-C and keeps everything for the next start", async () => {
    const port = await freePort();
    const awsPort = await freePort();
    const first = await start(port, awsPort);
    child = first.proc;
    expect(first.output()).toContain(`http://127.0.0.1:${port}`);
    expect(first.output()).toContain(`http://127.0.0.1:${awsPort}`);
    expect(first.output()).toContain(dataDir);

    const api = httpClient(`http://127.0.0.1:${port}`);
    const sample = JSON.parse(readFileSync("examples/orders/home-delivery.json", "utf8"));
    const res = await api.post("/orders", sample, { "idempotency-key": "k1" });
    expect(res.status).toBe(202);
    const orderId = String(res.body.orderId);
    await api.waitForStatus(orderId, "SUBMITTED");
    // The temporary response and the documents: PDFs in the data folder, served by the API.
    expect((await api.get(`/orders/${orderId}/response`)).status).toBe(200);
    const documents = (await api.get(`/orders/${orderId}/documents`)).body.items as { url: string }[];
    expect(documents).toHaveLength(3);
    expect(existsSync(join(dataDir, "documents", "orders", orderId, "wh-berlin", "delivery-note.pdf"))).toBe(
      true,
    );

    // The drop-shipper answers through the API (its system is simulated): accepted without a human.
    const bike = JSON.parse(readFileSync("examples/orders/drop-ship.json", "utf8"));
    const dropShip = await api.post("/orders", bike, { "idempotency-key": "k2" });
    expect(dropShip.status).toBe(202);
    const shipped = await api.waitForStatus(String(dropShip.body.orderId), "SUBMITTED");
    expect((shipped.timeline as { action: string }[]).map((t) => t.action).slice(-3)).toEqual([
      "submit",
      "answer-submission",
      "complete-submission",
    ]);
    expect((shipped.positions as { locationId: string }[])[0]?.locationId).toBe("supplier-hamburg");

    const pidFile = join(dataDir, "dynamodb", "dynamodb-local.pid");
    const jvmPid = readFileSync(pidFile, "utf8").trim();
    expect(await stop(first.proc)).toBe(0);
    expect(existsSync(`/proc/${jvmPid}`)).toBe(false); // no orphan Java process

    const second = await start(port, awsPort);
    child = second.proc;
    const again = await api.get(`/orders/${orderId}`);
    expect(again.body.status).toBe("SUBMITTED");
    const pdf = await fetch(`http://127.0.0.1:${port}${documents[0]?.url}`);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    // The same request after the restart still gets the same answer.
    expect((await api.post("/orders", sample, { "idempotency-key": "k1" })).body.orderId).toBe(orderId);
    expect(await stop(second.proc)).toBe(0);
    child = undefined;
  }, 120_000);
});
