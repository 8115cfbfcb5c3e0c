// The one declaration of the app: functions, HTTP routes, state machines (ASL file + substitutions),
// event buses, rules, stream consumers and the table. The CDK stack (lib/) and the local runtime (local/)
// are both built from this file; test/infra proves the synthesized template and the local runtime agree.
import type { z } from "zod";
import { tableDesign } from "../adapters/dynamodb/table-design.ts";
import { orderInputSchema } from "../domain/order/order-input.ts";
import {
  captureResponseSchema,
  errorBodySchema,
  healthResponseSchema,
  listOrdersQuerySchema,
  orderIdParamsSchema,
  orderListResponseSchema,
  orderResponseSchema,
} from "./api-schemas.ts";

export const APP_NAME = "oms";

export type FunctionId =
  | "capture-order"
  | "get-order"
  | "list-orders"
  | "get-openapi"
  | "health"
  | "validate-order"
  | "route-order"
  | "submit-order"
  | "record-workflow-failure"
  | "publish-order-events";

export interface FunctionDeclaration {
  /** Source file (from the repository root) and its exported handler. */
  entry: string;
  handler: "handler";
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** What the function may touch: the CDK grants exactly this, nothing more. */
  access: {
    table?: "read" | "readWrite";
    startExecution?: StateMachineId[];
    putEvents?: EventBusId[];
  };
}

export const functions: Record<FunctionId, FunctionDeclaration> = {
  "capture-order": {
    entry: "functions/http/capture-order.ts",
    handler: "handler",
    description: "POST /orders: validate, store idempotently, start the order's workflow",
    memoryMb: 512,
    timeoutSeconds: 10,
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "get-order": {
    entry: "functions/http/get-order.ts",
    handler: "handler",
    description: "GET /orders/{orderId}",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "list-orders": {
    entry: "functions/http/list-orders.ts",
    handler: "handler",
    description: "GET /orders?status=&channel=",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "get-openapi": {
    entry: "functions/http/get-openapi.ts",
    handler: "handler",
    description: "GET /openapi.json",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: {},
  },
  health: {
    entry: "functions/http/health.ts",
    handler: "handler",
    description: "GET /health: answers once the table is reachable",
    memoryMb: 128,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "validate-order": {
    entry: "functions/workflow/validate-order.ts",
    handler: "handler",
    description: "Workflow task: asynchronous validation rules (VALIDATED or REJECTED)",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "route-order": {
    entry: "functions/workflow/route-order.ts",
    handler: "handler",
    description: "Workflow task: assign every position to a location (ROUTED)",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "submit-order": {
    entry: "functions/workflow/submit-order.ts",
    handler: "handler",
    description: "Workflow task: hand the order to its locations (SUBMITTED)",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "record-workflow-failure": {
    entry: "functions/events/record-workflow-failure.ts",
    handler: "handler",
    description: "Marks an order EXCEPTION with the cause when its workflow fails, times out or is stopped",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "publish-order-events": {
    entry: "functions/events/publish-order-events.ts",
    handler: "handler",
    description: "Outbox relay: publishes new order events from the table stream to the order event bus",
    memoryMb: 256,
    timeoutSeconds: 30,
    access: { putEvents: ["orders"] },
  },
};

export type StateMachineId = "home-delivery";

export interface StateMachineDeclaration {
  /** Deployed name (locally also the ARN's name part). */
  name: string;
  orderType: "HOME_DELIVERY";
  definitionFile: string;
  type: "STANDARD" | "EXPRESS";
  /** `${Key}` placeholders in the ASL file and what replaces them. */
  substitutions: Record<string, { functionArn: FunctionId }>;
  /** The handlers' environment variable that carries this state machine's ARN. */
  arnVariable: string;
}

export const stateMachines: Record<StateMachineId, StateMachineDeclaration> = {
  "home-delivery": {
    name: `${APP_NAME}-home-delivery`,
    orderType: "HOME_DELIVERY",
    definitionFile: "statemachines/home-delivery.asl.json",
    type: "STANDARD",
    substitutions: {
      ValidateOrderFunctionArn: { functionArn: "validate-order" },
      RouteOrderFunctionArn: { functionArn: "route-order" },
      SubmitOrderFunctionArn: { functionArn: "submit-order" },
    },
    arnVariable: "STATE_MACHINE_ARN_HOME_DELIVERY",
  },
};

export type EventBusId = "orders";

/** Merchants' rules attach to the order bus; AWS service events (Step Functions) arrive on "default". */
export const eventBuses: Record<EventBusId, { name: string }> = {
  orders: { name: `${APP_NAME}-orders` },
};

export interface RuleDeclaration {
  name: string;
  bus: EventBusId | "default";
  description: string;
  pattern: Record<string, unknown>;
  targets: { id: string; functionId: FunctionId }[];
}

export const rules: RuleDeclaration[] = [
  {
    name: `${APP_NAME}-workflow-failures`,
    bus: "default",
    description: "Order workflows that failed, timed out or were stopped: make the order show the exception",
    pattern: {
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: {
        status: ["FAILED", "TIMED_OUT", "ABORTED"],
        stateMachineArn: [{ suffix: `:stateMachine:${stateMachines["home-delivery"].name}` }],
      },
    },
    targets: [{ id: "record-workflow-failure", functionId: "record-workflow-failure" }],
  },
];

export interface StreamConsumerDeclaration {
  functionId: FunctionId;
  /** Lambda event-source filter (EventBridge pattern syntax over the stream record). */
  filter: Record<string, unknown>;
  batchSize: number;
  maxRetryAttempts: number;
}

export const streamConsumers: StreamConsumerDeclaration[] = [
  {
    functionId: "publish-order-events",
    filter: { eventName: ["INSERT"], dynamodb: { NewImage: { entityType: { S: ["OrderEvent"] } } } },
    batchSize: 100,
    maxRetryAttempts: 50,
  },
];

export interface RouteDeclaration {
  method: "GET" | "POST";
  path: string;
  functionId: FunctionId;
  operationId: string;
  summary: string;
  /**
   * "iam": callers sign with SigV4 (sales channels are IAM principals); "none": public, for routes that
   * must answer before a caller can sign (readiness probes, the API contract) and return no order data.
   */
  auth: "iam" | "none";
  request?: {
    body?: z.ZodType;
    maxBodyBytes?: number;
    query?: z.ZodType;
    params?: z.ZodType;
    headers?: Record<string, { required: boolean; description: string }>;
  };
  responses: Record<number, { description: string; schema?: z.ZodType }>;
}

const errors = (description: string) => ({ description, schema: errorBodySchema });

/** Bodies above this are refused with 413 before parsing (well under API Gateway's 10 MB). */
export const MAX_ORDER_BODY_BYTES = 256 * 1024;

export const routes: RouteDeclaration[] = [
  {
    method: "POST",
    path: "/orders",
    functionId: "capture-order",
    operationId: "captureOrder",
    auth: "iam",
    summary: "Submit an order from a sales channel",
    request: {
      body: orderInputSchema,
      maxBodyBytes: MAX_ORDER_BODY_BYTES,
      headers: {
        "Idempotency-Key": {
          required: false,
          description:
            "Repeat a request with the same key and body to get the same answer and no second order",
        },
      },
    },
    responses: {
      202: {
        description: "Accepted: the order is stored and its workflow started",
        schema: captureResponseSchema,
      },
      400: errors("Malformed JSON or a field breaks the schema (see field and issues)"),
      404: errors("Unknown channel"),
      409: errors("Idempotency-Key reused with another body, or the channel order number exists"),
      413: errors("Body larger than 256 KiB"),
      415: errors("Content-Type is not application/json"),
      422: errors("The channel refuses the order (inactive, order type not allowed)"),
      503: errors("Stored but the workflow did not start: repeat with the same Idempotency-Key"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}",
    functionId: "get-order",
    operationId: "getOrder",
    auth: "iam",
    summary: "An order with its positions, status and timeline",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The order", schema: orderResponseSchema },
      400: errors("Not an order id"),
      404: errors("No such order"),
    },
  },
  {
    method: "GET",
    path: "/orders",
    functionId: "list-orders",
    operationId: "listOrders",
    auth: "iam",
    summary: "Orders by status and/or channel, newest first, paged",
    request: { query: listOrdersQuerySchema },
    responses: {
      200: { description: "One page of order summaries", schema: orderListResponseSchema },
      400: errors("Bad filter, limit or cursor"),
    },
  },
  {
    method: "GET",
    path: "/openapi.json",
    functionId: "get-openapi",
    operationId: "getOpenApi",
    auth: "none",
    summary: "This API's OpenAPI 3.1 document",
    responses: { 200: { description: "The OpenAPI document" } },
  },
  {
    method: "GET",
    path: "/health",
    functionId: "health",
    operationId: "health",
    auth: "none",
    summary: "Readiness: answers 200 when the order table is reachable",
    responses: { 200: { description: "Ready", schema: healthResponseSchema }, 503: errors("Not ready") },
  },
];

export const table = {
  /** Locally the table's name; on AWS CloudFormation names it. */
  name: `${APP_NAME}-orders`,
  design: tableDesign,
};

/** The handlers' environment in a home: the table, the bus and each state machine's ARN. */
export function handlerEnvironment(resolved: {
  tableName: string;
  eventBusName: string;
  stateMachineArns: Record<StateMachineId, string>;
}): Record<string, string> {
  const env: Record<string, string> = {
    TABLE_NAME: resolved.tableName,
    EVENT_BUS_NAME: resolved.eventBusName,
    POWERTOOLS_SERVICE_NAME: APP_NAME,
  };
  for (const [id, machine] of Object.entries(stateMachines) as [StateMachineId, StateMachineDeclaration][]) {
    env[machine.arnVariable] = resolved.stateMachineArns[id];
  }
  return env;
}
