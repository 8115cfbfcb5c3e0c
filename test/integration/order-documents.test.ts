// Order documents with the real engines: the workflow's Documents step makes real PDFs per assigned
// location (kinds from the location's configuration or its kind's default), stores them in the runtime's
// documents folder with a metadata item each, lists them with download links and serves them; the PDFs
// parse back (pdf-lib loads them, unpdf extracts their text). A repeated step, and a step after a crash
// between storing and recording, make nothing twice.
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PDFDocument } from "pdf-lib";
import { extractText, getDocumentProxy } from "unpdf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalDocumentStore } from "../../adapters/documents/local-document-store.ts";
import { renderDocument } from "../../adapters/documents/pdf-renderer.ts";
import { DocumentRepository } from "../../adapters/dynamodb/document-repository.ts";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import type { Runtime } from "../../local/runtime.ts";
import { createOrderDocuments, type DocumentDeps } from "../../usecases/documents.ts";
import { systemClock } from "../../usecases/system-ports.ts";
import { sampleBody } from "../support/order-fixtures.ts";
import { httpClient, startTestRuntime, uniqueOrder } from "../support/test-runtime.ts";

let runtime: Runtime;
let api: ReturnType<typeof httpClient>;
let deps: DocumentDeps;

interface Listed {
  documentId: string;
  kind: string;
  locationId: string;
  fileName: string;
  contentType: string;
  bytes: number;
  url: string;
}

beforeAll(async () => {
  runtime = await startTestRuntime();
  api = httpClient(runtime.httpUrl);
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: runtime.dynamodbEndpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  deps = {
    repo: new OrderRepository(db, runtime.tableName),
    inventory: new InventoryRepository(db, runtime.tableName),
    documents: new DocumentRepository(db, runtime.tableName),
    store: new LocalDocumentStore(runtime.documentsDir),
    render: renderDocument,
    clock: systemClock,
  };
});

afterAll(async () => {
  await runtime?.stop();
});

async function download(url: string): Promise<{ status: number; type: string | null; bytes: Uint8Array }> {
  const res = await fetch(`${runtime.httpUrl}${url}`);
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    bytes: new Uint8Array(await res.arrayBuffer()),
  };
}

async function textOf(bytes: Uint8Array): Promise<string> {
  const { text } = await extractText(await getDocumentProxy(new Uint8Array(bytes)), { mergePages: true });
  return text;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

async function submittedOrder(body: Record<string, unknown>): Promise<string> {
  const res = await api.post("/orders", uniqueOrder(body));
  expect(res.status).toBe(202);
  const orderId = String(res.body.orderId);
  await api.waitForStatus(orderId, "SUBMITTED");
  return orderId;
}

describe("order documents", () => {
  it("a warehouse order gets a delivery note, a return note and a return label as real PDFs", async () => {
    const body = sampleBody();
    const orderId = await submittedOrder(body);
    const order = await api.get(`/orders/${orderId}`);
    const ref = String(order.body.channelOrderRef);

    const listing = await api.get(`/orders/${orderId}/documents`);
    expect(listing.status).toBe(200);
    const items = listing.body.items as Listed[];
    expect(items.map((d) => d.documentId).sort()).toEqual(
      ["wh-berlin.DELIVERY_NOTE", "wh-berlin.RETURN_LABEL", "wh-berlin.RETURN_NOTE"].sort(),
    );

    for (const item of items) {
      expect(item).toMatchObject({ locationId: "wh-berlin", contentType: "application/pdf" });
      expect(item.url).toBe(`/orders/${orderId}/documents/${item.documentId}`);
      const file = await download(item.url);
      expect(file.status).toBe(200);
      expect(file.type).toBe("application/pdf");
      expect(file.bytes.byteLength).toBe(item.bytes);
      expect(Buffer.from(file.bytes.subarray(0, 5)).toString("latin1")).toBe("%PDF-");

      const pdf = await PDFDocument.load(file.bytes);
      expect(pdf.getPageCount()).toBe(1);
      expect(pdf.getTitle()).toContain(orderId);

      const text = await textOf(file.bytes);
      expect(text).toContain(orderId);
      expect(text).toContain(ref);
      expect(text).toContain("Berlin warehouse");
      expect(text).toContain("Erika Mustermann");
      if (item.kind !== "RETURN_LABEL") {
        expect(text).toContain("SKU-TSHIRT-M");
        expect(text).toContain("SKU-MUG");
        expect(text).toContain("T-shirt, size M");
      }
    }
    const label = await textOf((await download(`/orders/${orderId}/documents/wh-berlin.RETURN_LABEL`)).bytes);
    expect(label).toMatch(/Return label[\s\S]*Return to:[\s\S]*Berlin warehouse/);
    expect(label).toMatch(new RegExp(`R${orderId.slice(-10)}WHBERL.`));

    // The files are in the documents folder under their keys.
    const dir = join(runtime.documentsDir, "orders", orderId);
    expect(
      filesUnder(dir)
        .map((f) => relative(dir, f))
        .sort(),
    ).toEqual(["wh-berlin/delivery-note.pdf", "wh-berlin/return-label.pdf", "wh-berlin/return-note.pdf"]);

    expect((await api.get(`/orders/${orderId}/documents/wh-berlin.INVOICE`)).body.code).toBe(
      "DOCUMENT_NOT_FOUND",
    );
    expect((await api.get(`/orders/${orderId}/documents/bad%20id`)).status).toBe(400);
    expect((await api.get("/orders/01HZZZZZZZZZZZZZZZZZZZZZZZ/documents")).body.code).toBe("ORDER_NOT_FOUND");
  });

  it("each location's configuration decides: a drop-shipper adds only its delivery note, a store its setting", async () => {
    const update = await api.raw(
      "PUT",
      "/locations/store-munich",
      JSON.stringify({
        name: "Munich store",
        kind: "STORE",
        address: { line1: "Marienplatz 1", postalCode: "80331", city: "Muenchen", country: "DE" },
        fulfillmentKinds: ["SHIP", "PICKUP"],
        networks: ["de-stores"],
        workingDays: [1, 2, 3, 4, 5, 6, 7],
        priority: 50,
        documents: ["RETURN_LABEL"],
      }),
      { "content-type": "application/json" },
    );
    expect(update.status).toBe(200);
    // A SKU only the store has, and the bike only the drop-shipper has: the order goes to both.
    const stock = await api.post("/stock-updates", {
      updateId: `docs-${Date.now()}`,
      type: "SNAPSHOT",
      asOf: new Date().toISOString(),
      lines: [{ sku: "SKU-SCARF", locationId: "store-munich", onHand: 5 }],
    });
    expect(stock.status).toBe(200);
    const body = {
      ...sampleBody(),
      positions: [
        { sku: "SKU-BIKE", name: "City bike", quantity: 1, unitPrice: 699 },
        { sku: "SKU-SCARF", name: "Wool scarf", quantity: 2, unitPrice: 24.9 },
      ],
    };
    const res = await api.post("/orders", uniqueOrder(body));
    expect(res.status).toBe(202);
    const orderId = String(res.body.orderId);
    // The demo drop-shipper answers its part (its system is simulated by npm start, not in tests).
    await api.waitForStatus(orderId, "AWAITING_ACCEPTANCE");
    const answered = await api.post(`/locations/supplier-hamburg/submissions/${orderId}/answer`, {
      decision: "ACCEPT",
    });
    expect(answered.status).toBe(200);
    await api.waitForStatus(orderId, "SUBMITTED");
    const order = await api.get(`/orders/${orderId}`);
    expect((order.body.positions as { locationId: string }[]).map((p) => p.locationId)).toEqual([
      "supplier-hamburg",
      "store-munich",
    ]);
    const items = (await api.get(`/orders/${orderId}/documents`)).body.items as Listed[];
    expect(items.map((d) => d.documentId).sort()).toEqual([
      "store-munich.RETURN_LABEL",
      "supplier-hamburg.DELIVERY_NOTE",
    ]);
    const note = await textOf(
      (await download(`/orders/${orderId}/documents/supplier-hamburg.DELIVERY_NOTE`)).bytes,
    );
    expect(note).toContain("SKU-BIKE");
    expect(note).not.toContain("SKU-MUG");
  });

  it("a repeated step makes nothing twice, also after a crash between storing a file and recording it", async () => {
    const orderId = await submittedOrder(sampleBody());
    const dir = join(runtime.documentsDir, "orders", orderId);
    const before = Object.fromEntries(filesUnder(dir).map((f) => [f, statSync(f).mtimeMs]));
    const listed = ((await api.get(`/orders/${orderId}/documents`)).body.items as Listed[]).length;

    // The step again (a Step Functions retry or a resumed execution): nothing new.
    const again = await runtime.functions.invoke(runtime.functions.arnOf("create-documents"), { orderId });
    expect(again).toMatchObject({ orderId, created: 0, documents: listed });
    expect(Object.fromEntries(filesUnder(dir).map((f) => [f, statSync(f).mtimeMs]))).toEqual(before);

    // A crash after storing a file but before recording it: the file is there, its metadata item is not.
    const [lost] = await deps.documents.listDocuments(orderId);
    if (!lost) throw new Error("no document recorded");
    const db = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: runtime.dynamodbEndpoint,
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
      }),
    );
    await db.send(
      new DeleteCommand({
        TableName: runtime.tableName,
        Key: { pk: `ORDER#${orderId}`, sk: `DOC#${lost.documentId}` },
      }),
    );
    const redo = await createOrderDocuments(deps, orderId);
    expect(redo).toMatchObject({ created: 1, documents: listed });
    // Rendering is deterministic: the same key holds the same bytes, one file per document.
    const again2 = (await deps.documents.listDocuments(orderId)).find(
      (d) => d.documentId === lost.documentId,
    );
    expect(again2?.sha256).toBe(lost.sha256);
    expect(filesUnder(dir).sort()).toEqual(Object.keys(before).sort());
    expect(((await api.get(`/orders/${orderId}/documents`)).body.items as Listed[]).length).toBe(listed);
  });
});
