// Which documents each assigned location needs for an order, and what they show: a location's
// `documents` setting (or the default of its kind) names the kinds; the plan lists one document per
// (location, kind) with a deterministic id and storage key, so a repeated step finds what it made.
import { z } from "zod";
import type { Order } from "../order/order.ts";
import { allocationsOf } from "./allocations.ts";

export const DOCUMENT_KINDS = ["DELIVERY_NOTE", "RETURN_NOTE", "RETURN_LABEL"] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export const documentKindSchema = z.enum(DOCUMENT_KINDS);

/** The location setting: which documents its parcels carry. Absent = the default of its kind. */
export const locationDocumentsSchema = z
  .array(documentKindSchema)
  .max(DOCUMENT_KINDS.length)
  .refine((kinds) => new Set(kinds).size === kinds.length, "document kinds must not repeat");

/**
 * Defaults per location kind: a warehouse packs all three; a store ships with a delivery note and a
 * return note (returns go back over the counter); a supplier (drop-shipper) adds only the delivery
 * note, since its own returns process and label apply.
 */
export const DEFAULT_DOCUMENTS: Record<"WAREHOUSE" | "STORE" | "SUPPLIER", readonly DocumentKind[]> = {
  WAREHOUSE: ["DELIVERY_NOTE", "RETURN_NOTE", "RETURN_LABEL"],
  STORE: ["DELIVERY_NOTE", "RETURN_NOTE"],
  SUPPLIER: ["DELIVERY_NOTE"],
};

export interface DocumentLocation {
  locationId: string;
  name: string;
  kind: keyof typeof DEFAULT_DOCUMENTS;
  address: { line1?: string | undefined; postalCode: string; city: string; country: string };
  documents?: readonly DocumentKind[] | undefined;
}

export function documentKindsFor(
  location: Pick<DocumentLocation, "kind" | "documents">,
): readonly DocumentKind[] {
  return location.documents ?? DEFAULT_DOCUMENTS[location.kind];
}

export interface DocumentLine {
  lineId: string;
  sku: string;
  name?: string | undefined;
  quantity: number;
}

/** One document to create: everything its renderer prints. */
export interface PlannedDocument {
  /** `<locationId>.<kind>`: unique within the order. */
  documentId: string;
  kind: DocumentKind;
  orderId: string;
  channelOrderRef: string;
  /** Storage key: orders/<orderId>/<locationId>/<kind>.pdf (deterministic: a repeat overwrites nothing new). */
  key: string;
  fileName: string;
  location: DocumentLocation;
  shipTo: Order["shippingAddress"];
  lines: DocumentLine[];
  /** The moment the documents describe (the order's routing): their creation date, so a repeat renders the same bytes. */
  issuedAt: string;
  /** Return labels only: the code on the label and under its bars. */
  returnCode?: string | undefined;
}

/** A short, stable code for a return label: the order and location, checksummed (mod 43 as in Code 39). */
export function returnCodeOf(orderId: string, locationId: string): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";
  const body = `R${orderId.slice(-10)}${locationId
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, "")
    .slice(0, 6)}`;
  let sum = 0;
  for (const c of body) sum += Math.max(0, alphabet.indexOf(c));
  return `${body}${alphabet[sum % 43]}`;
}

/**
 * The documents an order needs: for each location its positions are allocated to, the kinds the location
 * asks for, each listing the lines (and quantities) that location ships. Locations missing from
 * `locations` are skipped by the caller's choice (the respond step already refuses unknown ones).
 */
export function planDocuments(
  order: Order,
  locations: ReadonlyMap<string, DocumentLocation>,
  issuedAt: string,
): PlannedDocument[] {
  const linesByLocation = new Map<string, DocumentLine[]>();
  for (const position of order.positions) {
    for (const a of allocationsOf(position)) {
      const lines = linesByLocation.get(a.locationId) ?? [];
      lines.push({ lineId: position.lineId, sku: position.sku, name: position.name, quantity: a.quantity });
      linesByLocation.set(a.locationId, lines);
    }
  }
  const planned: PlannedDocument[] = [];
  for (const [locationId, lines] of linesByLocation) {
    const location = locations.get(locationId);
    if (!location) continue;
    for (const kind of documentKindsFor(location)) {
      const slug = kind.toLowerCase().replace(/_/g, "-");
      planned.push({
        documentId: `${locationId}.${kind}`,
        kind,
        orderId: order.orderId,
        channelOrderRef: order.channelOrderRef,
        key: `orders/${order.orderId}/${locationId}/${slug}.pdf`,
        fileName: `${order.orderId}-${locationId}-${slug}.pdf`,
        location,
        shipTo: order.shippingAddress,
        lines,
        issuedAt,
        ...(kind === "RETURN_LABEL" ? { returnCode: returnCodeOf(order.orderId, locationId) } : {}),
      });
    }
  }
  return planned;
}
