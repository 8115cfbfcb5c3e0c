// Order documents as use cases: the workflow's documents step (plan per assigned location from its
// configuration, render each missing one as a PDF, store the file, then record its metadata item) and the
// reads behind GET /orders/{orderId}/documents[/{documentId}]. Idempotent: a document whose metadata
// item exists is not made again; a crash between storing and recording re-renders the same bytes under
// the same key, so nothing is stored twice.
import { createHash } from "node:crypto";
import type { OrderDocument } from "../adapters/dynamodb/document-repository.ts";
import {
  type DocumentLocation,
  type PlannedDocument,
  planDocuments,
} from "../domain/fulfillment/documents.ts";
import { assignedAtOf } from "../domain/fulfillment/order-response.ts";
import type { Order } from "../domain/order/order.ts";
import { NotFoundError, ValidationError } from "../domain/shared/errors.ts";
import type {
  Clock,
  DocumentRepository,
  DocumentStore,
  InventoryRepository,
  OrderRepository,
} from "./ports.ts";

export const PDF_CONTENT_TYPE = "application/pdf";

/** Turns a planned document into file bytes (adapters/documents/pdf-renderer.ts). */
export type DocumentRenderer = (document: PlannedDocument) => Promise<Uint8Array>;

export interface DocumentDeps {
  repo: Pick<OrderRepository, "getOrder">;
  inventory: Pick<InventoryRepository, "listLocations">;
  documents: DocumentRepository;
  store: DocumentStore;
  render: DocumentRenderer;
  clock: Clock;
}

async function loadOrder(
  deps: Pick<DocumentDeps, "repo">,
  orderId: string,
  consistent = true,
): Promise<Order> {
  const order = await deps.repo.getOrder(orderId, consistent);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  return order;
}

export interface DocumentsStepResult {
  orderId: string;
  status: Order["status"];
  /** Documents made by this run (0 on a repeat). */
  created: number;
  /** Every document the order has now. */
  documents: number;
}

/** The workflow's documents step. */
export async function createOrderDocuments(
  deps: DocumentDeps,
  orderId: string,
): Promise<DocumentsStepResult> {
  const order = await loadOrder(deps, orderId);
  const issuedAt = assignedAtOf(order);
  if (!issuedAt) {
    throw ValidationError.single(
      "status",
      "NOT_ROUTED",
      `order ${orderId} is ${order.status}: not routed yet`,
    );
  }
  const [locations, existing] = await Promise.all([
    deps.inventory.listLocations(),
    deps.documents.listDocuments(orderId),
  ]);
  const byId = new Map<string, DocumentLocation>(locations.map((l) => [l.locationId, l]));
  const done = new Set(existing.map((d) => d.documentId));
  const planned = planDocuments(order, byId, issuedAt);
  // Documents are independent: made side by side, so the step lasts about one store round trip, not three.
  const outcomes = await Promise.all(
    planned
      .filter((document) => !done.has(document.documentId))
      .map((document) => makeDocument(deps, orderId, document)),
  );
  const created = outcomes.filter(Boolean).length;
  return { orderId, status: order.status, created, documents: existing.length + created };
}

/** Renders, stores, then records one document; false when another run recorded it first. */
async function makeDocument(
  deps: DocumentDeps,
  orderId: string,
  document: PlannedDocument,
): Promise<boolean> {
  const body = await deps.render(document);
  await deps.store.put(document.key, body, PDF_CONTENT_TYPE);
  return deps.documents.recordDocument({
    orderId,
    documentId: document.documentId,
    kind: document.kind,
    locationId: document.location.locationId,
    key: document.key,
    fileName: document.fileName,
    contentType: PDF_CONTENT_TYPE,
    bytes: body.byteLength,
    sha256: createHash("sha256").update(body).digest("hex"),
    createdAt: deps.clock.now(),
  });
}

export interface DocumentListing {
  orderId: string;
  items: (Omit<OrderDocument, "key" | "orderId"> & { url: string })[];
}

/** GET /orders/{orderId}/documents: metadata plus a download link per document. */
export async function listOrderDocuments(
  deps: Pick<DocumentDeps, "repo" | "documents" | "store">,
  orderId: string,
): Promise<DocumentListing> {
  await loadOrder(deps, orderId, false);
  const documents = await deps.documents.listDocuments(orderId);
  const items = await Promise.all(
    documents.map(async ({ key, orderId: _order, ...meta }) => ({
      ...meta,
      url:
        (await deps.store.downloadUrl(key, meta.fileName)) ??
        `/orders/${orderId}/documents/${encodeURIComponent(meta.documentId)}`,
    })),
  );
  return { orderId, items };
}

/** GET /orders/{orderId}/documents/{documentId}: the file. */
export async function getOrderDocumentFile(
  deps: Pick<DocumentDeps, "documents" | "store">,
  orderId: string,
  documentId: string,
): Promise<{ document: OrderDocument; body: Uint8Array }> {
  const document = (await deps.documents.listDocuments(orderId)).find((d) => d.documentId === documentId);
  const body = document ? await deps.store.get(document.key) : undefined;
  if (!document || !body) {
    throw new NotFoundError(
      "DOCUMENT_NOT_FOUND",
      `order ${orderId} has no document ${documentId}`,
      "documentId",
      { orderId, documentId },
    );
  }
  return { document, body };
}
