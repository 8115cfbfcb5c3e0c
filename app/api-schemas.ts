// The HTTP API's contract beyond the order and stock inputs: parameters, responses and the error body, as
// zod schemas. Handlers parse with them; the OpenAPI document (app/openapi.ts) is generated from them.
import { z } from "zod";
import { approvalSchema, approvalStatusSchema } from "../domain/approval/approval.ts";
import { approvalReasonSchema, reasonIdSchema } from "../domain/approval/approval-reasons.ts";
import { orderEventSchema } from "../domain/events/order-events.ts";
import { documentKindSchema } from "../domain/fulfillment/documents.ts";
import { temporaryResponseSchema } from "../domain/fulfillment/order-response.ts";
import { submissionSchema } from "../domain/fulfillment/submission.ts";
import {
  FULFILLMENT_KINDS,
  LOCATION_KINDS,
  locationIdSchema,
  locationSchema,
} from "../domain/inventory/location.ts";
import { allocationSchema, orderSchema, orderStatusSchema } from "../domain/order/order.ts";
import { skuSchema } from "../domain/order/order-input.ts";
import { RESUME_POINTS } from "../domain/order/resume-points.ts";
import { ROUTING_TASK_STATUSES, routingTaskSchema } from "../domain/routing/routing-task.ts";
import {
  ruleSetDefinitionSchema,
  ruleSetHeadSchema,
  ruleSetIdSchema,
  ruleSetVersionSchema,
} from "../domain/routing/rule-set.ts";
import {
  deadLetterSchema,
  merchantIdSchema,
  subscriptionIdSchema,
  subscriptionViewSchema,
} from "../domain/subscriptions/subscription.ts";

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

export const orderEventsResponseSchema = z
  .object({ orderId: z.string(), items: z.array(orderEventSchema) })
  .meta({ id: "OrderEvents" });

export const eventCatalogueResponseSchema = z
  .object({
    items: z.array(
      z.object({
        detailType: z.string().describe("The EventBridge detail-type, e.g. order.submitted.v1"),
        source: z.string(),
        schema: z.record(z.string(), z.unknown()).describe("JSON Schema of the event's detail"),
      }),
    ),
  })
  .meta({ id: "EventCatalogue" });

export const retryResponseSchema = z
  .object({
    orderId: z.string(),
    resumeAt: z.enum(RESUME_POINTS).describe("The workflow step the new execution starts at"),
    executionArn: z.string().describe("The new execution (Step Functions)"),
  })
  .meta({ id: "RetryResponse" });

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

// ---------------------------------------------------------------------------------------------------
// Inventory: locations, stock, availability

export const locationParamsSchema = z.object({ locationId: locationIdSchema });

export const locationResponseSchema = locationSchema.meta({ id: "Location" });

export const listLocationsQuerySchema = z.object({
  kind: z.enum(LOCATION_KINDS).optional(),
  network: z.string().min(1).max(64).optional(),
  enabled: z
    .enum(["true", "false"])
    .transform((v) => v === "true")
    .optional(),
});

export const locationListResponseSchema = z
  .object({ items: z.array(locationSchema) })
  .meta({ id: "LocationList" });

export const stockUpdateResponseSchema = z
  .object({
    updateId: z.string(),
    type: z.enum(["SNAPSHOT", "DELTA"]),
    lines: z.number().int(),
    applied: z.number().int().describe("Lines that changed stock"),
    ignored: z
      .array(z.object({ line: z.number().int(), reason: z.string() }))
      .describe(
        "Lines that changed nothing: STALE_SNAPSHOT (an older count), INCLUDED_IN_SNAPSHOT (a movement the last count includes)",
      ),
    replayed: z.boolean().describe("True when this answer repeats an earlier request with the same updateId"),
  })
  .meta({ id: "StockUpdateResult" });

export const stockQuerySchema = z.object({ sku: skuSchema });

export const stockResponseSchema = z
  .object({
    sku: z.string(),
    totals: z.object({
      onHand: z.number().int(),
      reserved: z.number().int(),
      safetyStock: z.number().int(),
      available: z.number().int().describe("Stored value; below 0 only when a count found a shortage"),
    }),
    locations: z.array(
      z.object({
        locationId: z.string(),
        onHand: z.number().int(),
        reserved: z.number().int(),
        safetyStock: z.number().int(),
        available: z.number().int(),
        shards: z.number().int(),
        lowStockThreshold: z.number().int().optional(),
        snapshotAt: z.string().optional(),
      }),
    ),
  })
  .meta({ id: "Stock" });

const MAX_AVAILABILITY_SKUS = 100;

export const availabilityQuerySchema = z
  .object({
    channel: z.string().min(1).max(64),
    skus: z
      .string()
      .transform((s) => s.split(",").map((sku) => sku.trim()))
      .pipe(z.array(skuSchema).min(1).max(MAX_AVAILABILITY_SKUS))
      .describe(`Comma-separated SKUs, at most ${MAX_AVAILABILITY_SKUS}`),
    lat: z.coerce.number().min(-90).max(90).optional(),
    lon: z.coerce.number().min(-180).max(180).optional(),
    postalCode: z.string().min(1).max(20).optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, "country is an ISO 3166-1 alpha-2 code such as DE")
      .optional(),
    radiusKm: z.coerce.number().positive().max(20_000).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20).describe("Locations listed per SKU"),
  })
  .refine((q) => (q.lat === undefined) === (q.lon === undefined), {
    message: "give lat and lon together",
    path: ["lon"],
  })
  .refine((q) => q.postalCode === undefined || q.country !== undefined, {
    message: "a postalCode needs its country",
    path: ["country"],
  });

export const availabilityResponseSchema = z
  .object({
    channelId: z.string(),
    at: z.string(),
    items: z.array(
      z.object({
        sku: z.string(),
        available: z.number().int().nonnegative().describe("Sum over the locations the channel sees"),
        locations: z.array(
          z.object({
            locationId: z.string(),
            name: z.string(),
            kind: z.enum(LOCATION_KINDS),
            available: z.number().int().positive(),
            fulfillmentKinds: z.array(z.enum(FULFILLMENT_KINDS)),
            distanceKm: z.number().optional(),
            postalCode: z.string(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: "Availability" });

// ---------------------------------------------------------------------------------------------------
// Routing: rule sets, manual routing tasks, the routing trace

export const ruleSetParamsSchema = z.object({ ruleSetId: ruleSetIdSchema });

export const ruleSetVersionParamsSchema = z.object({
  ruleSetId: ruleSetIdSchema,
  version: z.coerce.number().int().positive().max(1_000_000),
});

export const ruleSetVersionResponseSchema = ruleSetVersionSchema.meta({ id: "RuleSetVersion" });

export const ruleSetHeadResponseSchema = ruleSetHeadSchema.meta({ id: "RuleSet" });

export const ruleSetResponseSchema = ruleSetHeadSchema
  .extend({
    versions: z.array(
      ruleSetVersionSchema.pick({
        version: true,
        status: true,
        createdAt: true,
        updatedAt: true,
        publishedAt: true,
      }),
    ),
  })
  .meta({ id: "RuleSetWithVersions" });

export const ruleSetListResponseSchema = z
  .object({ items: z.array(ruleSetHeadSchema) })
  .meta({ id: "RuleSetList" });

/** An empty object copies the latest version's definition into the new draft. */
export const ruleSetVersionCreateSchema = z.union([ruleSetDefinitionSchema, z.strictObject({})]);

export const routingTaskParamsSchema = z.object({
  taskId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, "a routing task id is its order's id"),
});

export const listRoutingTasksQuerySchema = z.object({
  status: z.enum(ROUTING_TASK_STATUSES).default("OPEN"),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const routingTaskResponseSchema = routingTaskSchema.meta({ id: "RoutingTask" });

export const routingTaskListResponseSchema = z
  .object({
    items: z.array(
      routingTaskSchema.pick({
        taskId: true,
        orderId: true,
        merchantId: true,
        channelId: true,
        status: true,
        createdAt: true,
        updatedAt: true,
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({ id: "RoutingTaskList" });

export const routingTaskActionResponseSchema = z
  .object({ task: routingTaskSchema, orderStatus: orderStatusSchema })
  .meta({ id: "RoutingTaskResult" });

export const orderRoutingResponseSchema = z
  .object({
    orderId: z.string(),
    status: orderStatusSchema,
    routing: orderSchema.shape.routing,
    positions: z.array(
      z.object({
        lineId: z.string(),
        sku: z.string(),
        quantity: z.number(),
        status: z.string(),
        allocations: z.array(allocationSchema).optional(),
        routedBy: z.object({ ruleSetId: z.string(), version: z.number() }).optional(),
        backordered: z.boolean().optional(),
        reason: z.string().optional(),
      }),
    ),
    trace: z
      .unknown()
      .optional()
      .describe(
        "The DOSE trace: per rule set the matched positions, the filter that removed each location, the candidates with dates and scores, the optimiser's pruning and the winner (see docs/routing.md)",
      ),
    traceCompacted: z
      .boolean()
      .optional()
      .describe("True when the trace was shortened to fit the item limit"),
    task: routingTaskSchema.optional(),
  })
  .meta({ id: "OrderRouting" });

const simulatedRoutingSchema = z.object({
  outcome: z.enum(["ROUTED", "CHECK_ANNOUNCED", "NOT_ANNOUNCED"]),
  positions: z.array(
    z.object({
      lineId: z.string(),
      outcome: z.enum(["ASSIGNED", "BACKORDERED", "CHECK_ANNOUNCED", "NOT_ANNOUNCED"]),
      allocations: z.array(z.object({ locationId: z.string(), quantity: z.number() })).optional(),
      ruleSet: z
        .string()
        .optional()
        .describe("The rule set version that assigned it, as id@version (0: unsaved)"),
      reason: z.string().optional(),
    }),
  ),
  locations: z.array(z.string()),
  parcels: z.number(),
  shippingCost: z.number().describe("Sum of perParcel + perKm x km + perUnit x units over the parcels"),
  meanDistanceKm: z.number().optional(),
});

const simulationAggregatesSchema = z.object({
  orders: z.number(),
  routed: z.number(),
  checkAnnounced: z.number(),
  notAnnounced: z.number(),
  positions: z.object({
    assigned: z.number(),
    backordered: z.number(),
    checkAnnounced: z.number(),
    notAnnounced: z.number(),
  }),
  splitOrders: z.number().describe("Routed orders shipped in more than one parcel"),
  splitRatePct: z.number(),
  parcels: z.number(),
  parcelsPerRoutedOrder: z.number(),
  shippingCost: z.number(),
  meanDistanceKm: z.number().nullable().describe("Mean over all parcels with known coordinates"),
  byRuleSet: z.record(z.string(), z.number()).describe("Positions assigned per id@version"),
});

const cascadeViewSchema = z.array(z.object({ ruleSetId: z.string(), version: z.number(), rank: z.number() }));

export const simulationReportSchema = z
  .object({
    at: z.string(),
    cascade: z.object({ before: cascadeViewSchema, after: cascadeViewSchema }),
    ordersSimulated: z.number(),
    ordersChanged: z.number(),
    before: simulationAggregatesSchema.describe("The published cascade"),
    after: simulationAggregatesSchema.describe("The draft cascade"),
    delta: z.record(z.string(), z.number()).describe("after - before"),
    skipped: z.array(z.object({ orderId: z.string(), reason: z.string() })),
    orders: z.array(
      z.object({
        orderId: z.string(),
        channelId: z.string(),
        status: orderStatusSchema,
        total: z.number(),
        changed: z.boolean(),
        before: simulatedRoutingSchema,
        after: simulatedRoutingSchema,
      }),
    ),
  })
  .meta({ id: "RoutingSimulationReport" });

/** POST /routing/waves. */
export const routingWaveRequestSchema = z
  .strictObject({
    limit: z.number().int().min(1).max(500).default(500).describe("Orders this wave takes at most"),
  })
  .meta({ id: "RoutingWaveRequest" });

export const routingWaveResultSchema = z
  .object({
    at: z.string(),
    waiting: z.number().describe("Orders found in AWAITING_WAVE"),
    orders: z.array(
      z.object({
        orderId: z.string(),
        total: z.number(),
        status: orderStatusSchema,
        locations: z.array(z.string()),
        asPlanned: z
          .boolean()
          .optional()
          .describe("False: stock moved since planning, the order was re-decided"),
        error: z.string().optional(),
      }),
    ),
    routed: z.number(),
    checkAnnounced: z.number(),
    notAnnounced: z.number(),
    cancelled: z.number(),
    failed: z.number(),
  })
  .meta({ id: "RoutingWaveResult" });

// Merchant event subscriptions

export const merchantParamsSchema = z.object({ merchantId: merchantIdSchema });
export const subscriptionParamsSchema = z.object({
  merchantId: merchantIdSchema,
  subscriptionId: subscriptionIdSchema,
});

export const subscriptionCreatedSchema = subscriptionViewSchema
  .extend({
    secret: z
      .string()
      .optional()
      .describe("The webhook signing secret: returned here and by rotate-secret only, never again"),
  })
  .meta({ id: "SubscriptionCreated" });

export const subscriptionListSchema = z
  .object({ items: z.array(subscriptionViewSchema) })
  .meta({ id: "SubscriptionList" });

export const redeliveryResultSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    queued: z.number().int().describe("Matching events queued for delivery"),
    scanned: z.number().int().describe("The merchant's events in the window"),
    truncated: z.boolean().describe("More events than one call re-sends: ask again from the last one's time"),
  })
  .meta({ id: "RedeliveryResult" });

export const subscriptionResumedSchema = subscriptionViewSchema
  .extend({ backlog: redeliveryResultSchema.optional() })
  .meta({ id: "SubscriptionResumed" });

export const rotatedSecretSchema = z
  .object({
    subscriptionId: z.string(),
    secret: z.string().describe("The new signing secret, returned once"),
    previousSecretExpiresAt: z
      .string()
      .optional()
      .describe("Until then deliveries carry a second v1= signature made with the previous secret"),
  })
  .meta({ id: "RotatedSecret" });

export const deadLetterListSchema = z
  .object({ items: z.array(deadLetterSchema) })
  .meta({ id: "DeadLetterList" });

export const deadLettersRedeliveredSchema = z
  .object({ redelivered: z.number().int(), ids: z.array(z.string()) })
  .meta({ id: "DeadLettersRedelivered" });
/** GET /orders/{orderId}/response: the temporary order response, with the order's current status. */
export const temporaryOrderResponseSchema = temporaryResponseSchema
  .extend({ status: orderStatusSchema })
  .meta({ id: "TemporaryOrderResponse" });

export const orderDocumentParamsSchema = orderIdParamsSchema.extend({
  documentId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9._:-]+$/, "not a document id"),
});

export const documentListResponseSchema = z
  .object({
    orderId: z.string(),
    items: z.array(
      z.object({
        documentId: z.string().describe("<locationId>.<kind>, e.g. wh-berlin.DELIVERY_NOTE"),
        kind: documentKindSchema,
        locationId: z.string(),
        fileName: z.string(),
        contentType: z.string(),
        bytes: z.number().int(),
        sha256: z.string(),
        createdAt: z.string(),
        url: z
          .string()
          .describe(
            "Download link: a presigned S3 URL (15 minutes) on AWS; locally the path of GET /orders/{orderId}/documents/{documentId}",
          ),
      }),
    ),
  })
  .meta({ id: "OrderDocuments" });

// Approval (domain/approval): a channel's approval reasons, an order's approvals, decisions.

export const channelParamsSchema = z.object({
  channelId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/, "not a channel id"),
});

export const approvalReasonsResponseSchema = z
  .object({
    channelId: z.string(),
    reasons: z.array(approvalReasonSchema),
    version: z.number().int().describe("0 until reasons are stored"),
    updatedAt: z.string().optional(),
  })
  .meta({ id: "ApprovalReasons" });

export const approvalParamsSchema = orderIdParamsSchema.extend({ reasonId: reasonIdSchema });

export const callbackParamsSchema = z.object({
  callbackId: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, "not a callback id"),
});

export const approvalViewSchema = approvalSchema
  .omit({ taskToken: true, callbackId: true })
  .meta({ id: "Approval" });

export const orderApprovalsResponseSchema = z
  .object({ orderId: z.string(), status: orderStatusSchema, approvals: z.array(approvalViewSchema) })
  .meta({ id: "OrderApprovals" });

export const decisionResponseSchema = z
  .object({
    approval: approvalViewSchema,
    repeated: z.boolean().describe("true: the same decision was recorded before; nothing changed"),
  })
  .meta({ id: "ApprovalDecision" });

export const listApprovalsQuerySchema = z.object({
  status: z.enum(["REQUESTED", "ESCALATED"]).default("ESCALATED"),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const approvalListResponseSchema = z
  .object({
    items: z.array(
      z.object({
        orderId: z.string(),
        reasonId: z.string(),
        status: approvalStatusSchema,
        dueAt: z.string(),
      }),
    ),
    nextCursor: z.string().optional(),
  })
  .meta({ id: "ApprovalList" });

// ---------------------------------------------------------------------------------------------------
// Submission to locations

export const submissionParamsSchema = orderIdParamsSchema.extend({ locationId: locationIdSchema });

export const listSubmissionsQuerySchema = z.object({
  status: z.enum(["OPEN", "OVERDUE"]).default("OPEN"),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2048).optional(),
});

export const submissionViewSchema = submissionSchema
  .extend({
    submissionId: z.string(),
    answer: z.object({ method: z.literal("POST"), path: z.string() }),
  })
  .meta({ id: "Submission" });

export const submissionListResponseSchema = z
  .object({ items: z.array(submissionViewSchema), nextCursor: z.string().optional() })
  .meta({ id: "SubmissionList" });

export const orderSubmissionsResponseSchema = z
  .object({ orderId: z.string(), status: orderStatusSchema, items: z.array(submissionViewSchema) })
  .meta({ id: "OrderSubmissions" });

export const answerResponseSchema = z
  .object({
    orderId: z.string(),
    status: orderStatusSchema,
    submissions: z.array(submissionViewSchema),
    repeated: z.boolean(),
  })
  .meta({ id: "SubmissionAnswerResult" });
