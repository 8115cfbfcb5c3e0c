// Which documents a location needs (its setting or its kind's default), what each lists, deterministic
// keys and bytes, and the S3 adapter's presigned download link (signed offline by the real presigner).
import { S3Client } from "@aws-sdk/client-s3";
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { renderDocument } from "../../adapters/documents/pdf-renderer.ts";
import { DOWNLOAD_LINK_SECONDS, S3DocumentStore } from "../../adapters/documents/s3-document-store.ts";
import {
  type DocumentLocation,
  documentKindsFor,
  planDocuments,
  returnCodeOf,
} from "../../domain/fulfillment/documents.ts";
import { locationCreateSchema } from "../../domain/inventory/location.ts";
import { applyCommand } from "../../domain/order/lifecycle.ts";
import type { Order } from "../../domain/order/order.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const address = { postalCode: "10115", city: "Berlin", country: "DE" };
const at = "2026-11-23T10:00:01.000Z";

function routedTo(line1: string, line2: string): Order {
  const validated = applyCommand(sampleOrder(), { action: "validate" }, at, "e1").order;
  return applyCommand(
    validated,
    {
      action: "route",
      assignments: [
        { lineId: "1", locationId: line1 },
        { lineId: "2", locationId: line2 },
      ],
    },
    at,
    "e2",
  ).order;
}

const locations = new Map<string, DocumentLocation>([
  ["wh", { locationId: "wh", name: "Warehouse", kind: "WAREHOUSE", address }],
  ["store", { locationId: "store", name: "Store", kind: "STORE", address }],
  ["sup", { locationId: "sup", name: "Supplier", kind: "SUPPLIER", address, documents: ["RETURN_LABEL"] }],
]);

describe("which documents", () => {
  it("defaults by kind: warehouse all three, store delivery and return note, supplier the delivery note", () => {
    expect(documentKindsFor({ kind: "WAREHOUSE" })).toEqual(["DELIVERY_NOTE", "RETURN_NOTE", "RETURN_LABEL"]);
    expect(documentKindsFor({ kind: "STORE" })).toEqual(["DELIVERY_NOTE", "RETURN_NOTE"]);
    expect(documentKindsFor({ kind: "SUPPLIER" })).toEqual(["DELIVERY_NOTE"]);
    expect(documentKindsFor({ kind: "WAREHOUSE", documents: [] })).toEqual([]);
  });

  it("the location setting is validated: known kinds, no repeats", () => {
    const base = { locationId: "x", name: "x", kind: "STORE", address };
    expect(locationCreateSchema.parse({ ...base, documents: ["RETURN_LABEL"] }).documents).toEqual([
      "RETURN_LABEL",
    ]);
    expect(locationCreateSchema.safeParse({ ...base, documents: ["INVOICE"] }).success).toBe(false);
    expect(
      locationCreateSchema.safeParse({ ...base, documents: ["RETURN_NOTE", "RETURN_NOTE"] }).success,
    ).toBe(false);
  });

  it("plans one document per location and kind, listing the lines that location ships", () => {
    const plan = planDocuments(routedTo("store", "sup"), locations, at);
    expect(plan.map((d) => [d.documentId, d.key, d.lines.map((l) => l.sku)])).toEqual([
      ["store.DELIVERY_NOTE", `orders/${sampleOrder().orderId}/store/delivery-note.pdf`, ["SKU-TSHIRT-M"]],
      ["store.RETURN_NOTE", `orders/${sampleOrder().orderId}/store/return-note.pdf`, ["SKU-TSHIRT-M"]],
      ["sup.RETURN_LABEL", `orders/${sampleOrder().orderId}/sup/return-label.pdf`, ["SKU-MUG"]],
    ]);
    expect(plan[2]?.returnCode).toBe(returnCodeOf(sampleOrder().orderId, "sup"));
    expect(planDocuments(routedTo("wh", "wh"), locations, at).map((d) => d.lines.length)).toEqual([2, 2, 2]);
    expect(planDocuments(sampleOrder(), locations, at)).toEqual([]); // not routed: nothing to print
  });

  it("return codes are stable and checksummed", () => {
    const code = returnCodeOf("01HZZZZZZZZZZZZZZZZZZZZZZZ", "wh-berlin");
    expect(code).toBe(returnCodeOf("01HZZZZZZZZZZZZZZZZZZZZZZZ", "wh-berlin"));
    expect(code).toMatch(/^RZZZZZZZZZZWHBERL.$/);
    expect(returnCodeOf("01HZZZZZZZZZZZZZZZZZZZZZZY", "wh-berlin")).not.toBe(code);
  });
});

describe("rendering", () => {
  it("renders the same bytes for the same plan, a loadable PDF with the order in its metadata", async () => {
    const [doc] = planDocuments(routedTo("wh", "wh"), locations, at);
    if (!doc) throw new Error("nothing planned");
    const a = await renderDocument(doc);
    const b = await renderDocument(doc);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const pdf = await PDFDocument.load(a);
    expect(pdf.getTitle()).toBe(`Delivery note ${doc.orderId} wh`);
    expect(pdf.getCreationDate()?.toISOString()).toBe(at);
  });

  it("prints characters the standard fonts lack as ? instead of failing", async () => {
    const order = routedTo("wh", "wh");
    const named = { ...order, shippingAddress: { ...order.shippingAddress, name: "Zoë 王 Müller" } };
    const [doc] = planDocuments(named, locations, at);
    if (!doc) throw new Error("nothing planned");
    await expect(renderDocument(doc)).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe("S3 document store", () => {
  it("links are presigned GETs of the object, valid for 15 minutes, opening inline under the file name", async () => {
    const s3 = new S3Client({
      region: "eu-central-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    });
    const url = new URL(
      await new S3DocumentStore(s3, "oms-documents").downloadUrl(
        "orders/O1/wh/delivery-note.pdf",
        "O1-wh-delivery-note.pdf",
      ),
    );
    expect(url.hostname).toBe("oms-documents.s3.eu-central-1.amazonaws.com");
    expect(url.pathname).toBe("/orders/O1/wh/delivery-note.pdf");
    expect(url.searchParams.get("X-Amz-Expires")).toBe(String(DOWNLOAD_LINK_SECONDS));
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(url.searchParams.get("response-content-disposition")).toBe(
      'inline; filename="O1-wh-delivery-note.pdf"',
    );
  });
});
