// Renders a planned order document (delivery note, return note, return label) as a real PDF with pdf-lib
// (pure JS, standard Helvetica fonts, A4 / A6). Deterministic: the creation and modification dates are
// the document's issue time and nothing else varies, so rendering the same plan twice gives the same
// bytes (a repeated workflow step stores the same file under the same key).
import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import type { DocumentKind, PlannedDocument } from "../../domain/fulfillment/documents.ts";

const TITLES: Record<DocumentKind, string> = {
  DELIVERY_NOTE: "Delivery note",
  RETURN_NOTE: "Return note",
  RETURN_LABEL: "Return label",
};

const A4: [number, number] = [595.28, 841.89];
const A6: [number, number] = [297.64, 419.53];
const MARGIN = 48;
const BAR_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-. $/+%";

/** Standard fonts speak WinAnsi: anything else prints as "?" instead of failing the document. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7E\xA0-\xFF]/g, "?");
}

class Writer {
  y: number;
  constructor(
    readonly page: PDFPage,
    readonly font: PDFFont,
    readonly bold: PDFFont,
    top: number,
  ) {
    this.y = top;
  }
  line(text: string, options: { size?: number; bold?: boolean; x?: number; gap?: number } = {}): void {
    const size = options.size ?? 10;
    this.page.drawText(printable(text), {
      x: options.x ?? MARGIN,
      y: this.y,
      size,
      font: options.bold ? this.bold : this.font,
    });
    this.y -= options.gap ?? size * 1.45;
  }
  space(points: number): void {
    this.y -= points;
  }
}

function addressLines(address: {
  name?: string | undefined;
  line1?: string | undefined;
  line2?: string | undefined;
  postalCode: string;
  city: string;
  country: string;
}): string[] {
  return [
    address.name,
    address.line1,
    address.line2,
    `${address.postalCode} ${address.city}`,
    address.country,
  ].filter((l): l is string => typeof l === "string" && l.length > 0);
}

/** Bars for a code: per character six bits of its index, 1 wide and 0 narrow, framed by guard bars. */
function drawBars(page: PDFPage, code: string, x: number, y: number, height: number): number {
  let cursor = x;
  const bar = (width: number) => {
    page.drawRectangle({ x: cursor, y, width, height, color: rgb(0, 0, 0) });
    cursor += width + 1.2;
  };
  bar(1.2);
  bar(1.2);
  for (const c of code) {
    const index = Math.max(0, BAR_ALPHABET.indexOf(c));
    for (let bit = 5; bit >= 0; bit--) bar((index >> bit) & 1 ? 2.6 : 1.2);
    cursor += 1.2;
  }
  bar(1.2);
  bar(1.2);
  return cursor - x;
}

function linesTable(w: Writer, doc: PlannedDocument, returnColumn: boolean): void {
  w.line("Line", { bold: true, gap: 0 });
  w.line("SKU", { bold: true, x: MARGIN + 40, gap: 0 });
  w.line("Article", { bold: true, x: MARGIN + 180, gap: 0 });
  w.line("Qty", { bold: true, x: MARGIN + 400, gap: 0 });
  if (returnColumn) w.line("Returned / reason", { bold: true, x: MARGIN + 430, gap: 0 });
  w.space(14);
  for (const line of doc.lines) {
    w.line(line.lineId, { gap: 0 });
    w.line(line.sku, { x: MARGIN + 40, gap: 0 });
    w.line(line.name ?? "", { x: MARGIN + 180, gap: 0 });
    w.line(String(line.quantity), { x: MARGIN + 400, gap: 0 });
    if (returnColumn) w.line("____ / ________", { x: MARGIN + 430, gap: 0 });
    w.space(14);
  }
}

/** The PDF bytes of one planned document. */
export async function renderDocument(doc: PlannedDocument): Promise<Uint8Array> {
  const pdf = await PDFDocument.create({ updateMetadata: false });
  const issued = new Date(doc.issuedAt);
  pdf.setTitle(`${TITLES[doc.kind]} ${doc.orderId} ${doc.location.locationId}`);
  pdf.setSubject(`Order ${doc.orderId} (${doc.channelOrderRef})`);
  pdf.setAuthor(doc.location.name);
  pdf.setCreator("open-oms");
  pdf.setProducer("open-oms (pdf-lib)");
  pdf.setCreationDate(issued);
  pdf.setModificationDate(issued);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const from = addressLines({ name: doc.location.name, ...doc.location.address });
  const to = addressLines(doc.shipTo);

  if (doc.kind === "RETURN_LABEL") {
    const page = pdf.addPage(A6);
    const w = new Writer(page, font, bold, A6[1] - 36);
    const left = { x: 24 };
    w.line(TITLES[doc.kind], { size: 16, bold: true, ...left, gap: 24 });
    w.line("From (sender):", { bold: true, ...left });
    for (const l of to) w.line(l, left);
    w.space(8);
    w.line("Return to:", { bold: true, ...left });
    for (const l of from) w.line(l, { size: 12, ...left });
    w.space(10);
    w.line(`Order ${doc.orderId}`, { size: 8, ...left });
    w.line(`Shop order ${doc.channelOrderRef}`, { size: 8, ...left, gap: 16 });
    const code = doc.returnCode ?? "";
    drawBars(page, code, 24, w.y - 56, 56);
    w.space(70);
    w.line(code, { size: 11, bold: true, ...left });
  } else {
    const page = pdf.addPage(A4);
    const w = new Writer(page, font, bold, A4[1] - MARGIN);
    w.line(TITLES[doc.kind], { size: 20, bold: true, gap: 30 });
    w.line(`Order ${doc.orderId}`, { bold: true });
    w.line(`Shop order ${doc.channelOrderRef}`);
    w.line(`Date ${doc.issuedAt.slice(0, 10)}`, { gap: 24 });
    const top = w.y;
    w.line("Shipped from:", { bold: true });
    for (const l of from) w.line(l);
    const afterFrom = w.y;
    w.y = top;
    w.line("Ship to:", { bold: true, x: MARGIN + 260 });
    for (const l of to) w.line(l, { x: MARGIN + 260 });
    w.y = Math.min(w.y, afterFrom) - 20;
    linesTable(w, doc, doc.kind === "RETURN_NOTE");
    w.space(20);
    if (doc.kind === "RETURN_NOTE") {
      w.line("To return items: fill in the quantity and reason per line, put this note in the parcel and");
      w.line(`send it to ${from.join(", ")}.`);
    } else {
      w.line(`${doc.lines.reduce((n, l) => n + l.quantity, 0)} item(s) in this parcel.`);
    }
  }
  return pdf.save({ useObjectStreams: false });
}
