// What a location system (WMS, store POS, supplier feed) sends: a batch of absolute counts (SNAPSHOT) or
// of movements (DELTA: sale, receipt, correction, transfer), identified by its updateId, up to 1,000
// lines. The whole batch is validated before anything is written: a refused batch changes nothing.
import { z } from "zod";
import { skuSchema } from "../order/order-input.ts";
import { locationIdSchema } from "./location.ts";
import { MAX_SHARDS } from "./stock.ts";

export const MAX_STOCK_UPDATE_LINES = 1000;
const MAX_QUANTITY = 1_000_000_000;

export const DELTA_REASONS = ["SALE", "RECEIPT", "CORRECTION", "TRANSFER"] as const;

const updateIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, "updateId may contain letters, digits and . _ : -");

const quantity = (what: string) =>
  z
    .number()
    .int(`${what} must be a whole number`)
    .nonnegative(`${what} must not be negative`)
    .max(MAX_QUANTITY);

export const snapshotLineSchema = z.strictObject({
  sku: skuSchema,
  locationId: locationIdSchema,
  onHand: quantity("onHand"),
  safetyStock: quantity("safetyStock").optional(),
  lowStockThreshold: quantity("lowStockThreshold").optional(),
  /** Split this position over more items for a hot SKU (see docs/inventory.md). Only grows. */
  shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
  /** When the count was taken, if not the batch's asOf. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});

export const deltaLineSchema = z
  .strictObject({
    sku: skuSchema,
    locationId: locationIdSchema,
    change: z
      .number()
      .int("change must be a whole number")
      .min(-MAX_QUANTITY)
      .max(MAX_QUANTITY)
      .refine((n) => n !== 0, "change must not be 0"),
    reason: z.enum(DELTA_REASONS),
    /** When the movement happened: one before the last applied count is already in that count. */
    occurredAt: z.iso.datetime({ offset: true }).optional(),
    reference: z.string().max(128).optional(),
  })
  .superRefine((line, ctx) => {
    if (line.reason === "SALE" && line.change > 0) {
      ctx.addIssue({
        code: "custom",
        path: ["change"],
        message: "a SALE takes stock: change must be negative",
      });
    }
    if (line.reason === "RECEIPT" && line.change < 0) {
      ctx.addIssue({
        code: "custom",
        path: ["change"],
        message: "a RECEIPT adds stock: change must be positive",
      });
    }
  });

const lines = <T extends z.ZodType>(line: T) =>
  z
    .array(line)
    .min(1, "a stock update needs at least one line")
    .max(MAX_STOCK_UPDATE_LINES, `a stock update holds at most ${MAX_STOCK_UPDATE_LINES} lines`);

export const stockUpdateSchema = z
  .discriminatedUnion("type", [
    z.strictObject({
      updateId: updateIdSchema,
      type: z.literal("SNAPSHOT"),
      /** When the counts were taken. A later-delivered older count is ignored per SKU and location. */
      asOf: z.iso.datetime({ offset: true }),
      lines: lines(snapshotLineSchema),
    }),
    z.strictObject({
      updateId: updateIdSchema,
      type: z.literal("DELTA"),
      lines: lines(deltaLineSchema),
    }),
  ])
  .superRefine((update, ctx) => {
    // Two counts of one position in one batch contradict each other; two movements simply add up.
    if (update.type !== "SNAPSHOT") return;
    const seen = new Map<string, number>();
    update.lines.forEach((line, i) => {
      const key = `${line.sku}\u0000${line.locationId}`;
      const first = seen.get(key);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["lines", i, "sku"],
          message: `${line.sku} at ${line.locationId} is counted twice (lines ${first} and ${i})`,
        });
      } else seen.set(key, i);
    });
  });

export type StockUpdate = z.infer<typeof stockUpdateSchema>;
export type SnapshotUpdateLine = z.infer<typeof snapshotLineSchema>;
export type DeltaUpdateLine = z.infer<typeof deltaLineSchema>;

export interface StockUpdateResult {
  updateId: string;
  type: StockUpdate["type"];
  lines: number;
  applied: number;
  /** Lines that changed nothing, and why (a late snapshot, a movement already counted). */
  ignored: { line: number; reason: string }[];
  /** True when this answer repeats an earlier request with the same updateId and body. */
  replayed: boolean;
}
