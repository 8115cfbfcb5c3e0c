// The HTTP API's contract beyond the order input: query parameters, responses and the error body, as zod
// schemas. Handlers parse with them; the OpenAPI document (app/openapi.ts) is generated from them.
import { z } from "zod";
import { orderSchema, orderStatusSchema } from "../domain/order/order.ts";

export const errorBodySchema = z
  .object({
    code: z.string().describe("Machine-readable error code, e.g. VALIDATION_FAILED, CHANNEL_NOT_FOUND"),
    message: z.string(),
    field: z.string().optional().describe("Path of the offending field, e.g. positions.0.quantity"),
    issues: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })).optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: "Error" });

export const captureResponseSchema = z
  .object({
    orderId: z.string(),
    status: orderStatusSchema,
    replayed: z.boolean().describe("True when this answer repeats an earlier identical request"),
    links: z.object({ self: z.string() }),
  })
  .meta({ id: "CaptureResponse" });

export const orderResponseSchema = orderSchema.meta({ id: "Order" });

export const orderIdParamsSchema = z.object({
  orderId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "not an order id"),
});

export const listOrdersQuerySchema = z
  .object({
    status: orderStatusSchema.optional(),
    channel: z.string().min(1).max(64).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
    cursor: z.string().max(2048).optional(),
  })
  .refine((q) => q.status !== undefined || q.channel !== undefined, {
    message: "give status or channel (or both)",
    path: ["status"],
  });

export const orderSummarySchema = z.object({
  orderId: z.string(),
  merchantId: z.string(),
  channelId: z.string(),
  channelOrderRef: z.string(),
  status: orderStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  total: z.number(),
  currency: z.string(),
});

export const orderListResponseSchema = z
  .object({
    items: z.array(orderSummarySchema),
    nextCursor: z.string().optional().describe("Pass as ?cursor= for the next page; absent on the last page"),
  })
  .meta({ id: "OrderList" });

export const healthResponseSchema = z.object({ status: z.literal("ok"), table: z.string() });
