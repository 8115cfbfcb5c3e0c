// The one declaration of the app: functions, HTTP routes, state machines (ASL file + substitutions),
// event buses, rules, stream consumers and the table. The CDK stack (lib/) and the local runtime (local/)
// are both built from this file; test/infra proves the synthesized template and the local runtime agree.
import type { z } from "zod";
import { tableDesign } from "../adapters/dynamodb/table-design.ts";
import { decisionInputSchema } from "../domain/approval/approval.ts";
import { approvalReasonsSchema } from "../domain/approval/approval-reasons.ts";
import { answerInputSchema } from "../domain/fulfillment/submission.ts";
import {
  locationCreateSchema,
  locationDisableSchema,
  locationInputSchema,
} from "../domain/inventory/location.ts";
import { stockUpdateSchema } from "../domain/inventory/stock-updates.ts";
import { orderInputSchema } from "../domain/order/order-input.ts";
import { cancelRoutingTaskSchema, completeRoutingTaskSchema } from "../domain/routing/routing-task.ts";
import { ruleSetCreateSchema, ruleSetDefinitionSchema } from "../domain/routing/rule-set.ts";
import { simulationRequestSchema } from "../domain/routing/simulation.ts";
import {
  deadLetterRedeliverSchema,
  redeliverySchema,
  resumeSchema,
  rotateSecretSchema,
  subscriptionCreateSchema,
  subscriptionViewSchema,
} from "../domain/subscriptions/subscription.ts";
import {
  answerResponseSchema,
  approvalListResponseSchema,
  approvalParamsSchema,
  approvalReasonsResponseSchema,
  availabilityQuerySchema,
  availabilityResponseSchema,
  callbackParamsSchema,
  captureResponseSchema,
  channelParamsSchema,
  deadLetterListSchema,
  deadLettersRedeliveredSchema,
  decisionResponseSchema,
  documentListResponseSchema,
  errorBodySchema,
  eventCatalogueResponseSchema,
  healthResponseSchema,
  listApprovalsQuerySchema,
  listLocationsQuerySchema,
  listOrdersQuerySchema,
  listRoutingTasksQuerySchema,
  listSubmissionsQuerySchema,
  locationListResponseSchema,
  locationParamsSchema,
  locationResponseSchema,
  merchantParamsSchema,
  orderApprovalsResponseSchema,
  orderDocumentParamsSchema,
  orderEventsResponseSchema,
  orderIdParamsSchema,
  orderListResponseSchema,
  orderResponseSchema,
  orderRoutingResponseSchema,
  orderSubmissionsResponseSchema,
  redeliveryResultSchema,
  retryResponseSchema,
  rotatedSecretSchema,
  routingTaskActionResponseSchema,
  routingTaskListResponseSchema,
  routingTaskParamsSchema,
  routingTaskResponseSchema,
  routingWaveRequestSchema,
  routingWaveResultSchema,
  ruleSetListResponseSchema,
  ruleSetParamsSchema,
  ruleSetResponseSchema,
  ruleSetVersionCreateSchema,
  ruleSetVersionParamsSchema,
  ruleSetVersionResponseSchema,
  simulationReportSchema,
  stockQuerySchema,
  stockResponseSchema,
  stockUpdateResponseSchema,
  submissionListResponseSchema,
  submissionParamsSchema,
  subscriptionCreatedSchema,
  subscriptionListSchema,
  subscriptionParamsSchema,
  subscriptionResumedSchema,
  temporaryOrderResponseSchema,
} from "./api-schemas.ts";

export const APP_NAME = "oms";

export type FunctionId =
  | "capture-order"
  | "get-order"
  | "get-order-events"
  | "get-event-catalogue"
  | "list-orders"
  | "get-openapi"
  | "health"
  | "validate-order"
  | "route-order"
  | "submit-order"
  | "record-order-failure"
  | "retry-order"
  | "publish-order-events"
  | "create-location"
  | "update-location"
  | "disable-location"
  | "get-location"
  | "list-locations"
  | "update-stock"
  | "get-stock"
  | "check-availability"
  | "publish-inventory-events"
  | "create-rule-set"
  | "list-rule-sets"
  | "get-rule-set"
  | "add-rule-set-version"
  | "get-rule-set-version"
  | "update-rule-set-version"
  | "publish-rule-set-version"
  | "get-order-routing"
  | "list-routing-tasks"
  | "get-routing-task"
  | "complete-routing-task"
  | "cancel-routing-task"
  | "run-routing-simulation"
  | "run-routing-wave"
  | "scheduled-routing-wave"
  | "manage-subscriptions"
  | "deliver-webhooks"
  | "respond-order"
  | "get-order-response"
  | "create-documents"
  | "list-order-documents"
  | "get-order-document"
  | "plan-approval"
  | "approval-step"
  | "get-approval-reasons"
  | "put-approval-reasons"
  | "list-order-approvals"
  | "answer-submission"
  | "list-location-submissions"
  | "list-order-submissions"
  | "scheduled-submission-sweep"
  | "scheduled-hold-expiry"
  | "decide-approval"
  | "approval-callback"
  | "list-approvals";

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
    /** sqs:SendMessage on these queues. */
    sendMessages?: QueueId[];
    /** Create, change and delete merchant subscription rules (`oms-sub-*`) on the order bus. */
    manageSubscriptionRules?: boolean;
    /** The order documents' files (S3 bucket on AWS, the data folder locally). */
    documents?: "read" | "readWrite";
    /** SendTaskSuccess/SendTaskFailure to callback tasks of these state machines. */
    sendTaskResult?: StateMachineId[];
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
  "get-order-events": {
    entry: "functions/http/get-order-events.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/events: the order's event history in sequence",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "get-event-catalogue": {
    entry: "functions/http/get-event-catalogue.ts",
    handler: "handler",
    description: "GET /events/catalogue: every event type and version with its JSON Schema",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: {},
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
    // Under the state's 30 s: a hot SKU's reservation rounds can take seconds, and a step that runs out of
    // time is not retried automatically (functions/workflow/step-handler.ts).
    timeoutSeconds: 25,
    access: { table: "readWrite" },
  },
  "submit-order": {
    entry: "functions/workflow/submit-order.ts",
    handler: "handler",
    description:
      "Workflow task: hand each location its part (event, signed webhook, pull); SUBMITTED or AWAITING_ACCEPTANCE",
    memoryMb: 256,
    timeoutSeconds: 20,
    // Starts routing again when a location rejected a line while the parts were on their way.
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "record-order-failure": {
    entry: "functions/workflow/record-order-failure.ts",
    handler: "handler",
    description:
      "Workflow task (the Catch of every step): marks the order EXCEPTION with the error and cause of the failed step",
    memoryMb: 256,
    timeoutSeconds: 10,
    // Also stores the hold of a stuck order's reservations (a table item the hold sweep ends).
    access: { table: "readWrite" },
  },
  "retry-order": {
    entry: "functions/http/retry-order.ts",
    handler: "handler",
    description: "POST /orders/{orderId}/retry: continue an order in EXCEPTION at the step that failed",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "read", startExecution: ["home-delivery"] },
  },
  "publish-order-events": {
    entry: "functions/events/publish-order-events.ts",
    handler: "handler",
    description: "Outbox relay: publishes new order events from the table stream to the order event bus",
    memoryMb: 256,
    timeoutSeconds: 30,
    access: { putEvents: ["orders"] },
  },
  "create-location": {
    entry: "functions/http/create-location.ts",
    handler: "handler",
    description: "POST /locations: a new fulfillment location",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "readWrite" },
  },
  "update-location": {
    entry: "functions/http/update-location.ts",
    handler: "handler",
    description: "PUT /locations/{locationId}: replace a location's configuration",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "readWrite" },
  },
  "disable-location": {
    entry: "functions/http/disable-location.ts",
    handler: "handler",
    description: "POST /locations/{locationId}/disable: take a location out of routing and availability",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "readWrite" },
  },
  "get-location": {
    entry: "functions/http/get-location.ts",
    handler: "handler",
    description: "GET /locations/{locationId}",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "list-locations": {
    entry: "functions/http/list-locations.ts",
    handler: "handler",
    description: "GET /locations?kind=&network=&enabled=",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "update-stock": {
    entry: "functions/http/update-stock.ts",
    handler: "handler",
    description: "POST /stock-updates: a batch of counts or movements, idempotent by updateId",
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: "readWrite" },
  },
  "get-stock": {
    entry: "functions/http/get-stock.ts",
    handler: "handler",
    description: "GET /stock?sku=: a SKU's on hand, reserved, safety stock and available per location",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "check-availability": {
    entry: "functions/http/check-availability.ts",
    handler: "handler",
    description: "GET /availability: what a channel may sell of SKUs, and where, nearest first",
    memoryMb: 512,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "publish-inventory-events": {
    entry: "functions/events/publish-inventory-events.ts",
    handler: "handler",
    description:
      "Keeps the availability read model and publishes inventory.changed / inventory.low from stock changes on the table stream",
    memoryMb: 256,
    timeoutSeconds: 30,
    access: { table: "readWrite", putEvents: ["orders"] },
  },
  "create-rule-set": {
    entry: "functions/http/create-rule-set.ts",
    handler: "handler",
    description: "POST /routing/rule-sets: a new routing rule set (draft version 1)",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "list-rule-sets": {
    entry: "functions/http/list-rule-sets.ts",
    handler: "handler",
    description: "GET /routing/rule-sets",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "get-rule-set": {
    entry: "functions/http/get-rule-set.ts",
    handler: "handler",
    description: "GET /routing/rule-sets/{ruleSetId}: the rule set and its versions",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "add-rule-set-version": {
    entry: "functions/http/add-rule-set-version.ts",
    handler: "handler",
    description: "POST /routing/rule-sets/{ruleSetId}/versions: a new draft version",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "get-rule-set-version": {
    entry: "functions/http/get-rule-set-version.ts",
    handler: "handler",
    description: "GET /routing/rule-sets/{ruleSetId}/versions/{version}",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "update-rule-set-version": {
    entry: "functions/http/update-rule-set-version.ts",
    handler: "handler",
    description: "PUT /routing/rule-sets/{ruleSetId}/versions/{version}: edit a draft",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "publish-rule-set-version": {
    entry: "functions/http/publish-rule-set-version.ts",
    handler: "handler",
    description: "POST /routing/rule-sets/{ruleSetId}/versions/{version}/publish",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "get-order-routing": {
    entry: "functions/http/get-order-routing.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/routing: the routing decision and its trace",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "list-routing-tasks": {
    entry: "functions/http/list-routing-tasks.ts",
    handler: "handler",
    description: "GET /routing/tasks: manual routing tasks",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "get-routing-task": {
    entry: "functions/http/get-routing-task.ts",
    handler: "handler",
    description: "GET /routing/tasks/{taskId}",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "complete-routing-task": {
    entry: "functions/http/complete-routing-task.ts",
    handler: "handler",
    description: "POST /routing/tasks/{taskId}/complete: assign, reserve, continue the order",
    memoryMb: 256,
    timeoutSeconds: 10,
    // Resumes the order's workflow at AfterRouting once the task is completed.
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "cancel-routing-task": {
    entry: "functions/http/cancel-routing-task.ts",
    handler: "handler",
    description: "POST /routing/tasks/{taskId}/cancel: cancel the order, release its stock",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "run-routing-simulation": {
    entry: "functions/http/run-routing-simulation.ts",
    handler: "handler",
    description: "POST /routing/simulations: preview a draft cascade over stored orders (read-only)",
    memoryMb: 1024,
    timeoutSeconds: 29,
    // Read-only on purpose: a simulation must not reserve, route or count capacity.
    access: { table: "read" },
  },
  "run-routing-wave": {
    entry: "functions/http/run-routing-wave.ts",
    handler: "handler",
    description: "POST /routing/waves: route the orders waiting for a wave together, most valuable first",
    memoryMb: 1024,
    timeoutSeconds: 29,
    // Reserves and records routing; continues each routed order's workflow at AfterRouting.
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "scheduled-routing-wave": {
    entry: "functions/events/scheduled-routing-wave.ts",
    handler: "handler",
    description: "Schedule target: the routing wave (the same use case as POST /routing/waves)",
    memoryMb: 1024,
    timeoutSeconds: 300,
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "manage-subscriptions": {
    entry: "functions/http/manage-subscriptions.ts",
    handler: "handler",
    description:
      "Merchant event subscriptions: create, list, get, pause, resume, delete, rotate secret, redeliver, dead letters",
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: "readWrite", sendMessages: ["webhook-deliveries"], manageSubscriptionRules: true },
  },
  "deliver-webhooks": {
    entry: "functions/events/deliver-webhooks.ts",
    handler: "handler",
    description: "Signs and POSTs queued merchant events to their webhooks; backoff, then dead letters",
    memoryMb: 256,
    timeoutSeconds: 30,
    access: { table: "readWrite" },
  },
  "respond-order": {
    entry: "functions/workflow/respond-order.ts",
    handler: "handler",
    description: "Workflow task: record the temporary order response (order.response to the channel)",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite" },
  },
  "get-order-response": {
    entry: "functions/http/get-order-response.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/response: the temporary order response",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "create-documents": {
    entry: "functions/workflow/create-documents.ts",
    handler: "handler",
    description:
      "Workflow task: the PDF documents each assigned location needs (delivery note, return note, label)",
    memoryMb: 512,
    timeoutSeconds: 30,
    access: { table: "readWrite", documents: "readWrite" },
  },
  "list-order-documents": {
    entry: "functions/http/list-order-documents.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/documents: the order's documents with download links",
    memoryMb: 256,
    timeoutSeconds: 5,
    // Read: presigning a GET needs no call, but the URL carries this role's permission to read the object.
    access: { table: "read", documents: "read" },
  },
  "get-order-document": {
    entry: "functions/http/get-order-document.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/documents/{documentId}: the document's PDF",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "read", documents: "read" },
  },
  "plan-approval": {
    entry: "functions/workflow/plan-approval.ts",
    handler: "handler",
    description:
      "Workflow task: which approval reasons apply; if any, AWAITING_APPROVAL, hold the stock, start order-approval",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite", startExecution: ["order-approval"] },
  },
  "approval-step": {
    entry: "functions/workflow/approval-step.ts",
    handler: "handler",
    description:
      "order-approval tasks: request a reason (stores the task token), escalate, time out, approve or decline the order",
    memoryMb: 256,
    timeoutSeconds: 10,
    // Settles its own token when a decision came first; resumes the order's workflow once approved.
    access: { table: "readWrite", startExecution: ["home-delivery"], sendTaskResult: ["order-approval"] },
  },
  "get-approval-reasons": {
    entry: "functions/http/get-approval-reasons.ts",
    handler: "handler",
    description: "GET /channels/{channelId}/approval-reasons",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "put-approval-reasons": {
    entry: "functions/http/put-approval-reasons.ts",
    handler: "handler",
    description: "PUT /channels/{channelId}/approval-reasons: replace a channel's approval reasons",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "readWrite" },
  },
  "answer-submission": {
    entry: "functions/http/answer-submission.ts",
    handler: "handler",
    description:
      "POST /locations/{locationId}/submissions/{orderId}/answer: accept/reject per line; re-allocates rejections",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "list-location-submissions": {
    entry: "functions/http/list-location-submissions.ts",
    handler: "handler",
    description: "GET /locations/{locationId}/submissions: a location's open (or overdue) parts to answer",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "list-order-submissions": {
    entry: "functions/http/list-order-submissions.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/submissions: the order's parts at its locations and their answers",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "scheduled-submission-sweep": {
    entry: "functions/events/scheduled-submission-sweep.ts",
    handler: "handler",
    description: "Schedule target: escalate or re-allocate submitted parts whose answer is overdue",
    memoryMb: 256,
    timeoutSeconds: 120,
    access: { table: "readWrite", startExecution: ["home-delivery"] },
  },
  "scheduled-hold-expiry": {
    entry: "functions/events/scheduled-hold-expiry.ts",
    handler: "handler",
    description:
      "Schedule target: release the reservations of orders still stuck (or awaiting approval) past their hold time",
    memoryMb: 256,
    timeoutSeconds: 120,
    access: { table: "readWrite" },
  },
  "list-order-approvals": {
    entry: "functions/http/list-order-approvals.ts",
    handler: "handler",
    description: "GET /orders/{orderId}/approvals: the order's approvals and their decisions",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
  "decide-approval": {
    entry: "functions/http/decide-approval.ts",
    handler: "handler",
    description: "POST /orders/{orderId}/approvals/{reasonId}/decision: approve or decline one reason",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite", sendTaskResult: ["order-approval"] },
  },
  "approval-callback": {
    entry: "functions/http/approval-callback.ts",
    handler: "handler",
    description: "POST /approval-callbacks/{callbackId}: a third party's approval decision",
    memoryMb: 256,
    timeoutSeconds: 10,
    access: { table: "readWrite", sendTaskResult: ["order-approval"] },
  },
  "list-approvals": {
    entry: "functions/http/list-approvals.ts",
    handler: "handler",
    description:
      "GET /approvals?status=: open approvals (REQUESTED) and operator tasks (ESCALATED), soonest due first",
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: "read" },
  },
};

export type StateMachineId = "home-delivery" | "order-approval";

export interface StateMachineDeclaration {
  /** Deployed name (locally also the ARN's name part). */
  name: string;
  /** The order type whose orders it runs; absent for a helper workflow (order-approval). */
  orderType?: "HOME_DELIVERY";
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
    // Express: the automatic path costs ~$1 per million starts plus duration instead of $0.025 per 1,000
    // transitions; waits for people or partners end the execution and resume later (docs/architecture.md).
    type: "EXPRESS",
    substitutions: {
      ValidateOrderFunctionArn: { functionArn: "validate-order" },
      RouteOrderFunctionArn: { functionArn: "route-order" },
      PlanApprovalFunctionArn: { functionArn: "plan-approval" },
      SubmitOrderFunctionArn: { functionArn: "submit-order" },
      RecordOrderFailureFunctionArn: { functionArn: "record-order-failure" },
      RespondOrderFunctionArn: { functionArn: "respond-order" },
      CreateDocumentsFunctionArn: { functionArn: "create-documents" },
    },
    arnVariable: "STATE_MACHINE_ARN_HOME_DELIVERY",
  },
  "order-approval": {
    name: `${APP_NAME}-order-approval`,
    definitionFile: "statemachines/order-approval.asl.json",
    // Standard: it waits on task tokens for hours to days (Express has no callbacks and ends after 5 min).
    type: "STANDARD",
    substitutions: {
      ApprovalStepFunctionArn: { functionArn: "approval-step" },
      RecordOrderFailureFunctionArn: { functionArn: "record-order-failure" },
    },
    arnVariable: "STATE_MACHINE_ARN_ORDER_APPROVAL",
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

/**
 * No declared rules today: order workflow failures are recorded by the workflow itself (Catch ->
 * RecordFailure), because Express executions emit no status-change events. Merchants' subscriptions are
 * rules too, created at run time through the EventBridge API.
 */
export const rules: RuleDeclaration[] = [];

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
  {
    // Every stock item write (stock updates, reservations, releases, shipments): coalesced per SKU and
    // location within a batch into the availability read model, inventory.changed and (crossing the
    // threshold) inventory.low.
    functionId: "publish-inventory-events",
    filter: {
      eventName: ["INSERT", "MODIFY"],
      dynamodb: { NewImage: { entityType: { S: ["Stock"] } } },
    },
    batchSize: 100,
    maxRetryAttempts: 50,
  },
];

export type QueueId = "webhook-deliveries";

export interface QueueDeclaration {
  name: string;
  description: string;
  /** At least the consumer's timeout; failed deliveries set their own (backoff). */
  visibilityTimeoutSeconds: number;
  /** What the consumer cannot process at all (not a failed webhook: those are dead-lettered in the table). */
  deadLetterQueue: { name: string; maxReceiveCount: number };
  /** The handlers' environment variables carrying the queue's URL and ARN. */
  urlVariable: string;
  arnVariable: string;
}

export const queues: Record<QueueId, QueueDeclaration> = {
  "webhook-deliveries": {
    name: `${APP_NAME}-webhook-deliveries`,
    description: "Merchant events on their way to webhooks: subscription rules' target, redeliveries",
    visibilityTimeoutSeconds: 180,
    // Retries are paced by the delivery function (backoff up to WEBHOOK_MAX_AGE_SECONDS, then a dead letter
    // in the table); every attempt counts as a receive, so the limit sits well above a day's attempts.
    deadLetterQueue: { name: `${APP_NAME}-webhook-deliveries-dlq`, maxReceiveCount: 500 },
    urlVariable: "QUEUE_URL_WEBHOOK_DELIVERIES",
    arnVariable: "QUEUE_ARN_WEBHOOK_DELIVERIES",
  },
};

export interface QueueConsumerDeclaration {
  functionId: FunctionId;
  queueId: QueueId;
  batchSize: number;
  /** Concurrent batches (Lambda's ScalingConfig.MaximumConcurrency; the local poller's loops). */
  maxConcurrency: number;
}

export const queueConsumers: QueueConsumerDeclaration[] = [
  { functionId: "deliver-webhooks", queueId: "webhook-deliveries", batchSize: 10, maxConcurrency: 10 },
];

/** Subscription rules are named `oms-sub-<subscriptionId>`; IAM grants are scoped to this prefix. */
export const SUBSCRIPTION_RULE_PREFIX = `${APP_NAME}-sub-`;

export interface RouteDeclaration {
  method: "GET" | "POST" | "PUT" | "DELETE";
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
export const MAX_LOCATION_BODY_BYTES = 64 * 1024;
/** 1,000 lines of ~150 bytes, with room for whitespace. */
export const MAX_STOCK_UPDATE_BODY_BYTES = 512 * 1024;
/** 20 reasons with conditions of up to 5 levels fit easily. */
export const MAX_APPROVAL_BODY_BYTES = 64 * 1024;
/** A rule set (conditions up to 5 levels, filters with up to 1,000 location ids) or a task completion. */
export const MAX_ROUTING_BODY_BYTES = 128 * 1024;

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
    path: "/orders/{orderId}/events",
    functionId: "get-order-events",
    operationId: "getOrderEvents",
    auth: "iam",
    summary: "The order's full event history, in sequence (the same events merchants receive)",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The order's events", schema: orderEventsResponseSchema },
      400: errors("Not an order id"),
      404: errors("No such order"),
    },
  },
  {
    method: "POST",
    path: "/orders/{orderId}/retry",
    functionId: "retry-order",
    operationId: "retryOrder",
    auth: "iam",
    summary: "Continue an order in EXCEPTION at the workflow step that failed (after the cause is fixed)",
    request: { params: orderIdParamsSchema },
    responses: {
      202: { description: "A new execution started at the failed step", schema: retryResponseSchema },
      400: errors("Not an order id"),
      404: errors("No such order"),
      409: errors("The order is not in EXCEPTION (code ORDER_NOT_IN_EXCEPTION)"),
    },
  },
  {
    method: "GET",
    path: "/events/catalogue",
    functionId: "get-event-catalogue",
    operationId: "getEventCatalogue",
    auth: "iam",
    summary: "Every event type the OMS emits, per version, with its JSON Schema",
    responses: { 200: { description: "The event catalogue", schema: eventCatalogueResponseSchema } },
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
    method: "POST",
    path: "/locations",
    functionId: "create-location",
    operationId: "createLocation",
    auth: "iam",
    summary: "Create a fulfillment location (warehouse, store, supplier)",
    request: { body: locationCreateSchema, maxBodyBytes: MAX_LOCATION_BODY_BYTES },
    responses: {
      201: { description: "Created", schema: locationResponseSchema },
      400: errors("Malformed JSON or a field breaks the schema (see field and issues)"),
      409: errors("LOCATION_EXISTS: the id is taken"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "GET",
    path: "/locations",
    functionId: "list-locations",
    operationId: "listLocations",
    auth: "iam",
    summary: "Every location, optionally of one kind, network or enabled state",
    request: { query: listLocationsQuerySchema },
    responses: {
      200: { description: "The locations, by id", schema: locationListResponseSchema },
      400: errors("Bad filter"),
    },
  },
  {
    method: "GET",
    path: "/locations/{locationId}",
    functionId: "get-location",
    operationId: "getLocation",
    auth: "iam",
    summary: "A location's configuration",
    request: { params: locationParamsSchema },
    responses: {
      200: { description: "The location", schema: locationResponseSchema },
      400: errors("Not a location id"),
      404: errors("LOCATION_NOT_FOUND"),
    },
  },
  {
    method: "PUT",
    path: "/locations/{locationId}",
    functionId: "update-location",
    operationId: "updateLocation",
    auth: "iam",
    summary: "Replace a location's configuration (omitted optional fields take their defaults)",
    request: {
      params: locationParamsSchema,
      body: locationInputSchema,
      maxBodyBytes: MAX_LOCATION_BODY_BYTES,
    },
    responses: {
      200: { description: "The location as stored", schema: locationResponseSchema },
      400: errors("Malformed JSON or a field breaks the schema (see field and issues)"),
      404: errors("LOCATION_NOT_FOUND"),
      409: errors("LOCATION_CHANGED: changed meanwhile; read it again and repeat"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "POST",
    path: "/locations/{locationId}/disable",
    functionId: "disable-location",
    operationId: "disableLocation",
    auth: "iam",
    summary: "Take a location out of routing and channels' availability (its stock stays visible in /stock)",
    request: { params: locationParamsSchema, body: locationDisableSchema, maxBodyBytes: 4096 },
    responses: {
      200: { description: "The location, disabled", schema: locationResponseSchema },
      400: errors("Not a location id, or a bad reason"),
      404: errors("LOCATION_NOT_FOUND"),
      409: errors("LOCATION_CHANGED: changed meanwhile; repeat"),
    },
  },
  {
    method: "POST",
    path: "/stock-updates",
    functionId: "update-stock",
    operationId: "updateStock",
    auth: "iam",
    summary:
      "Apply a batch of counts (SNAPSHOT) or movements (DELTA: sale, receipt, correction, transfer), up to 1,000 lines, idempotent by updateId",
    request: { body: stockUpdateSchema, maxBodyBytes: MAX_STOCK_UPDATE_BODY_BYTES },
    responses: {
      200: { description: "Applied (or replayed)", schema: stockUpdateResponseSchema },
      400: errors(
        "Malformed JSON or a field breaks the schema: more than 1,000 lines, a negative onHand, a malformed SKU (see field)",
      ),
      404: errors("LOCATION_NOT_FOUND: a line names an unknown location (field lines.<n>.locationId)"),
      409: errors("UPDATE_ID_REUSED: the updateId was used for a different batch"),
      413: errors("Body larger than 512 KiB"),
      415: errors("Content-Type is not application/json"),
      422: errors("ON_HAND_BELOW_ZERO or SHARDS_CANNOT_SHRINK: the batch is refused whole, nothing changed"),
      503: errors("Positions kept changing: repeat the same request, it resumes where it stopped"),
    },
  },
  {
    method: "GET",
    path: "/stock",
    functionId: "get-stock",
    operationId: "getStock",
    auth: "iam",
    summary: "A SKU's stock at every location: on hand, reserved, safety stock, available (operators' view)",
    request: { query: stockQuerySchema },
    responses: {
      200: { description: "The SKU's stock", schema: stockResponseSchema },
      400: errors("Missing or malformed sku"),
    },
  },
  {
    method: "GET",
    path: "/availability",
    functionId: "check-availability",
    operationId: "checkAvailability",
    auth: "iam",
    summary:
      "What a channel may sell of up to 100 SKUs: the aggregate and the locations holding it, nearest first (lat/lon or postalCode)",
    request: { query: availabilityQuerySchema },
    responses: {
      200: { description: "Availability per SKU", schema: availabilityResponseSchema },
      400: errors("Bad query: missing channel or skus, a malformed SKU, lat without lon (see field)"),
      404: errors("CHANNEL_NOT_FOUND"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}/routing",
    functionId: "get-order-routing",
    operationId: "getOrderRouting",
    auth: "iam",
    summary:
      "How the order was routed and why: rule set versions, allocations, the DOSE trace, its manual task",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The routing decision", schema: orderRoutingResponseSchema },
      400: errors("Not an order id"),
      404: errors("ORDER_NOT_FOUND"),
    },
  },
  {
    method: "POST",
    path: "/routing/rule-sets",
    functionId: "create-rule-set",
    operationId: "createRuleSet",
    auth: "iam",
    summary: "Create a routing rule set; its version 1 is a draft until published",
    request: { body: ruleSetCreateSchema, maxBodyBytes: MAX_ROUTING_BODY_BYTES },
    responses: {
      201: { description: "Created (draft version 1)", schema: ruleSetVersionResponseSchema },
      400: errors(
        "Malformed JSON or a field breaks the schema: an unknown fact, an operator its type lacks (see field)",
      ),
      409: errors("RULE_SET_EXISTS"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "GET",
    path: "/routing/rule-sets",
    functionId: "list-rule-sets",
    operationId: "listRuleSets",
    auth: "iam",
    summary: "Every rule set, published ones by rank (the cascade order)",
    responses: { 200: { description: "The rule sets", schema: ruleSetListResponseSchema } },
  },
  {
    method: "GET",
    path: "/routing/rule-sets/{ruleSetId}",
    functionId: "get-rule-set",
    operationId: "getRuleSet",
    auth: "iam",
    summary: "A rule set with its versions",
    request: { params: ruleSetParamsSchema },
    responses: {
      200: { description: "The rule set", schema: ruleSetResponseSchema },
      400: errors("Not a rule set id"),
      404: errors("RULE_SET_NOT_FOUND"),
    },
  },
  {
    method: "POST",
    path: "/routing/rule-sets/{ruleSetId}/versions",
    functionId: "add-rule-set-version",
    operationId: "addRuleSetVersion",
    auth: "iam",
    summary:
      "A new draft version: the body's definition, or {} (or no body) for a copy of the latest version",
    request: {
      params: ruleSetParamsSchema,
      body: ruleSetVersionCreateSchema,
      maxBodyBytes: MAX_ROUTING_BODY_BYTES,
    },
    responses: {
      201: { description: "The new draft", schema: ruleSetVersionResponseSchema },
      400: errors("A field breaks the schema (see field)"),
      404: errors("RULE_SET_NOT_FOUND"),
      409: errors("RULE_SET_CHANGED: another version was added meanwhile"),
    },
  },
  {
    method: "GET",
    path: "/routing/rule-sets/{ruleSetId}/versions/{version}",
    functionId: "get-rule-set-version",
    operationId: "getRuleSetVersion",
    auth: "iam",
    summary: "One version of a rule set",
    request: { params: ruleSetVersionParamsSchema },
    responses: {
      200: { description: "The version", schema: ruleSetVersionResponseSchema },
      400: errors("Bad rule set id or version"),
      404: errors("RULE_SET_NOT_FOUND or RULE_SET_VERSION_NOT_FOUND"),
    },
  },
  {
    method: "PUT",
    path: "/routing/rule-sets/{ruleSetId}/versions/{version}",
    functionId: "update-rule-set-version",
    operationId: "updateRuleSetVersion",
    auth: "iam",
    summary: "Replace a draft's definition; a published version never changes",
    request: {
      params: ruleSetVersionParamsSchema,
      body: ruleSetDefinitionSchema,
      maxBodyBytes: MAX_ROUTING_BODY_BYTES,
    },
    responses: {
      200: { description: "The draft as stored", schema: ruleSetVersionResponseSchema },
      400: errors("A field breaks the schema (see field)"),
      404: errors("RULE_SET_NOT_FOUND or RULE_SET_VERSION_NOT_FOUND"),
      409: errors("RULE_SET_VERSION_PUBLISHED: published versions are immutable; add a version"),
    },
  },
  {
    method: "POST",
    path: "/routing/rule-sets/{ruleSetId}/versions/{version}/publish",
    functionId: "publish-rule-set-version",
    operationId: "publishRuleSetVersion",
    auth: "iam",
    summary: "Publish a draft: routing uses it from now on, and it never changes again",
    request: { params: ruleSetVersionParamsSchema },
    responses: {
      200: { description: "The published version", schema: ruleSetVersionResponseSchema },
      404: errors("RULE_SET_NOT_FOUND or RULE_SET_VERSION_NOT_FOUND"),
      409: errors(
        "RULE_SET_VERSION_PUBLISHED (already) or RULE_SET_VERSION_OUTDATED (a newer one is published)",
      ),
    },
  },
  {
    method: "GET",
    path: "/routing/tasks",
    functionId: "list-routing-tasks",
    operationId: "listRoutingTasks",
    auth: "iam",
    summary: "Manual routing tasks (CHECK_ANNOUNCED / NOT_ANNOUNCED orders), oldest first, paged",
    request: { query: listRoutingTasksQuerySchema },
    responses: {
      200: { description: "One page of tasks", schema: routingTaskListResponseSchema },
      400: errors("Bad status, limit or cursor"),
    },
  },
  {
    method: "GET",
    path: "/routing/tasks/{taskId}",
    functionId: "get-routing-task",
    operationId: "getRoutingTask",
    auth: "iam",
    summary: "A manual routing task: the open positions, why, and the locations holding them",
    request: { params: routingTaskParamsSchema },
    responses: {
      200: { description: "The task", schema: routingTaskResponseSchema },
      400: errors("Not a task id"),
      404: errors("ROUTING_TASK_NOT_FOUND"),
    },
  },
  {
    method: "POST",
    path: "/routing/tasks/{taskId}/complete",
    functionId: "complete-routing-task",
    operationId: "completeRoutingTask",
    auth: "iam",
    summary: "Assign every open position (allocations per location), reserve the stock, continue the order",
    request: {
      params: routingTaskParamsSchema,
      body: completeRoutingTaskSchema,
      maxBodyBytes: MAX_ROUTING_BODY_BYTES,
    },
    responses: {
      200: {
        description: "Completed; the order is ROUTED and continues",
        schema: routingTaskActionResponseSchema,
      },
      400: errors("A field breaks the schema (see field)"),
      404: errors("ROUTING_TASK_NOT_FOUND"),
      409: errors("ROUTING_TASK_CLOSED, or INSUFFICIENT_STOCK at the allocation named by field"),
      422: errors(
        "An allocation names an unknown or closed location, a position twice, or the wrong quantity",
      ),
    },
  },
  {
    method: "POST",
    path: "/routing/tasks/{taskId}/cancel",
    functionId: "cancel-routing-task",
    operationId: "cancelRoutingTask",
    auth: "iam",
    summary: "Cancel the order of a manual routing task (its reservations are released)",
    request: { params: routingTaskParamsSchema, body: cancelRoutingTaskSchema, maxBodyBytes: 4096 },
    responses: {
      200: { description: "Cancelled", schema: routingTaskActionResponseSchema },
      400: errors("Missing reason"),
      404: errors("ROUTING_TASK_NOT_FOUND"),
      409: errors("ROUTING_TASK_CLOSED: the task was completed"),
    },
  },
  {
    method: "POST",
    path: "/routing/simulations",
    functionId: "run-routing-simulation",
    operationId: "runRoutingSimulation",
    auth: "iam",
    summary:
      "Preview a rule change: the published cascade and a draft (stored versions, unsaved definitions, removals) over up to 500 stored orders, with current stock, read-only",
    request: { body: simulationRequestSchema, maxBodyBytes: MAX_ROUTING_BODY_BYTES },
    responses: {
      200: {
        description: "Both cascades' outcomes per changed order and in aggregate",
        schema: simulationReportSchema,
      },
      400: errors("Malformed JSON or a field breaks the schema: no selection, limit over 500 (see field)"),
      404: errors("RULE_SET_VERSION_NOT_FOUND (draft.N.version) or ORDER_NOT_FOUND (orders.orderIds)"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "POST",
    path: "/routing/waves",
    functionId: "run-routing-wave",
    operationId: "runRoutingWave",
    auth: "iam",
    summary:
      "Run a routing wave now: orders of channels in wave mode (AWAITING_WAVE) are sourced together, most valuable first, reserved, and continue at AfterRouting",
    request: { body: routingWaveRequestSchema, maxBodyBytes: 4096 },
    responses: {
      200: {
        description: "What the wave did, per order in sourcing sequence",
        schema: routingWaveResultSchema,
      },
      400: errors("limit out of range"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
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
  {
    method: "GET",
    path: "/orders/{orderId}/response",
    functionId: "get-order-response",
    operationId: "getOrderResponse",
    auth: "iam",
    summary:
      "The temporary order response: per line the assigned location(s), availability, planned shipping date, purchase and sales price",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The response last sent to the channel", schema: temporaryOrderResponseSchema },
      400: errors("Not an order id"),
      404: errors("ORDER_NOT_FOUND, or RESPONSE_NOT_READY: the order is not routed yet"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}/documents",
    functionId: "list-order-documents",
    operationId: "listOrderDocuments",
    auth: "iam",
    summary:
      "The order's documents (delivery notes, return notes, return labels per location) with download links",
    request: { params: orderIdParamsSchema },
    responses: {
      200: {
        description: "The documents made so far (none before routing)",
        schema: documentListResponseSchema,
      },
      400: errors("Not an order id"),
      404: errors("ORDER_NOT_FOUND"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}/documents/{documentId}",
    functionId: "get-order-document",
    operationId: "getOrderDocument",
    auth: "iam",
    summary: "One document's PDF",
    request: { params: orderDocumentParamsSchema },
    responses: {
      200: { description: "The PDF (application/pdf)" },
      400: errors("Not an order or document id"),
      404: errors("DOCUMENT_NOT_FOUND"),
    },
  },
  {
    method: "GET",
    path: "/channels/{channelId}/approval-reasons",
    functionId: "get-approval-reasons",
    operationId: "getApprovalReasons",
    auth: "iam",
    summary: "A channel's approval reasons (rank, condition, third party, timeout, re-route)",
    request: { params: channelParamsSchema },
    responses: {
      200: {
        description: "The approval reasons (empty, version 0, when none are set)",
        schema: approvalReasonsResponseSchema,
      },
      400: errors("Not a channel id"),
      404: errors("CHANNEL_NOT_FOUND"),
    },
  },
  {
    method: "PUT",
    path: "/channels/{channelId}/approval-reasons",
    functionId: "put-approval-reasons",
    operationId: "putApprovalReasons",
    auth: "iam",
    summary:
      "Replace a channel's approval reasons; orders routed from then on are planned with them (equal rank = parallel, ascending = sequential)",
    request: {
      params: channelParamsSchema,
      body: approvalReasonsSchema,
      maxBodyBytes: MAX_APPROVAL_BODY_BYTES,
    },
    responses: {
      200: { description: "The approval reasons as stored", schema: approvalReasonsResponseSchema },
      400: errors("Malformed JSON or a field breaks the schema (see field and issues)"),
      404: errors("CHANNEL_NOT_FOUND"),
      409: errors("APPROVAL_REASONS_CHANGED: changed meanwhile; read them again and repeat"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}/approvals",
    functionId: "list-order-approvals",
    operationId: "listOrderApprovals",
    auth: "iam",
    summary: "The order's approvals: status per reason, who decided, when and why",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The order's approvals", schema: orderApprovalsResponseSchema },
      400: errors("Not an order id"),
      404: errors("ORDER_NOT_FOUND"),
    },
  },
  {
    method: "POST",
    path: "/orders/{orderId}/approvals/{reasonId}/decision",
    functionId: "decide-approval",
    operationId: "decideApproval",
    auth: "iam",
    summary:
      "Approve or decline one approval reason of an order (operators); the same decision again changes nothing",
    request: { params: approvalParamsSchema, body: decisionInputSchema, maxBodyBytes: 8192 },
    responses: {
      200: { description: "Recorded (or a repeat of the recorded decision)", schema: decisionResponseSchema },
      400: errors("Malformed JSON, not an order or reason id, or a field breaks the schema"),
      404: errors("APPROVAL_NOT_FOUND: the order has no open approval for this reason"),
      409: errors("APPROVAL_NOT_OPEN: decided otherwise, timed out or withdrawn"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "POST",
    path: "/approval-callbacks/{callbackId}",
    functionId: "approval-callback",
    operationId: "approvalCallback",
    // The callback id is a capability: 192 random bits, sent only to the third party with the request.
    auth: "none",
    summary:
      "A third party's decision on the approval it was asked for (order.approval-requested carries the id)",
    request: { params: callbackParamsSchema, body: decisionInputSchema, maxBodyBytes: 8192 },
    responses: {
      200: { description: "Recorded (or a repeat of the recorded decision)", schema: decisionResponseSchema },
      400: errors("Malformed JSON or a field breaks the schema"),
      404: errors("CALLBACK_NOT_FOUND"),
      409: errors("APPROVAL_NOT_OPEN: decided otherwise, timed out or withdrawn"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "GET",
    path: "/approvals",
    functionId: "list-approvals",
    operationId: "listApprovals",
    auth: "iam",
    summary:
      "Open approvals (REQUESTED) or operator tasks (ESCALATED: past their timeout), soonest due first",
    request: { query: listApprovalsQuerySchema },
    responses: {
      200: { description: "One page of approvals", schema: approvalListResponseSchema },
      400: errors("Bad status, limit or cursor"),
    },
  },
  {
    method: "POST",
    path: "/locations/{locationId}/submissions/{orderId}/answer",
    functionId: "answer-submission",
    operationId: "answerSubmission",
    auth: "iam",
    summary:
      "A location accepts or rejects its part of an order, per line ({lines:[{lineId,decision,reason}]}) or for all open lines ({decision}); a rejected line goes back to routing without this location",
    request: { params: submissionParamsSchema, body: answerInputSchema, maxBodyBytes: 64 * 1024 },
    responses: {
      200: { description: "Recorded (or a repeat of the recorded answer)", schema: answerResponseSchema },
      400: errors("Malformed JSON, bad ids, or a field breaks the schema"),
      404: errors("SUBMISSION_NOT_FOUND: the order was not submitted to this location"),
      422: errors("UNKNOWN_LINE: a line that was not submitted to this location"),
      409: errors("SUBMISSION_NOT_OPEN / LINE_ALREADY_ANSWERED: answered otherwise or withdrawn"),
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
    },
  },
  {
    method: "GET",
    path: "/locations/{locationId}/submissions",
    functionId: "list-location-submissions",
    operationId: "listLocationSubmissions",
    auth: "iam",
    summary:
      "A location's parts awaiting its answer (status=OPEN: what a polling location fetches) or overdue ones (status=OVERDUE: operators' escalations), soonest due first",
    request: { params: locationParamsSchema, query: listSubmissionsQuerySchema },
    responses: {
      200: { description: "One page of parts", schema: submissionListResponseSchema },
      400: errors("Bad location id, status, limit or cursor"),
      404: errors("LOCATION_NOT_FOUND"),
    },
  },
  {
    method: "GET",
    path: "/orders/{orderId}/submissions",
    functionId: "list-order-submissions",
    operationId: "listOrderSubmissions",
    auth: "iam",
    summary: "The order's parts at the locations that answer, every round, with each line's answer",
    request: { params: orderIdParamsSchema },
    responses: {
      200: { description: "The order's parts", schema: orderSubmissionsResponseSchema },
      400: errors("Not an order id"),
      404: errors("ORDER_NOT_FOUND"),
    },
  },
];

/** Subscription routes: every path is under the merchant, so IAM can scope a merchant to its own. */
const SUBSCRIPTIONS = "/merchants/{merchantId}/subscriptions";
const SUBSCRIPTION = `${SUBSCRIPTIONS}/{subscriptionId}`;
export const MAX_SUBSCRIPTION_BODY_BYTES = 16 * 1024;
const subscriptionRoute = (
  method: RouteDeclaration["method"],
  path: string,
  operationId: string,
  summary: string,
  request: RouteDeclaration["request"],
  responses: RouteDeclaration["responses"],
): RouteDeclaration => ({
  method,
  path,
  functionId: "manage-subscriptions",
  operationId,
  auth: "iam",
  summary,
  ...(request ? { request } : {}),
  responses: subscriptionResponses(path, responses),
});

function subscriptionResponses(
  path: string,
  responses: RouteDeclaration["responses"],
): RouteDeclaration["responses"] {
  const all: RouteDeclaration["responses"] = {
    ...responses,
    400: errors("Malformed JSON, a field breaks the schema, or not a merchant/subscription id (see field)"),
    503: errors("EventBridge or SQS did not answer: repeat the same request"),
  };
  if (path !== SUBSCRIPTIONS) all[404] = errors("SUBSCRIPTION_NOT_FOUND");
  return all;
}

export const subscriptionRoutes: RouteDeclaration[] = [
  subscriptionRoute(
    "POST",
    SUBSCRIPTIONS,
    "createSubscription",
    "Subscribe to the merchant's order events: an EventBridge pattern (scoped to the merchant) and a webhook or event bus target",
    {
      params: merchantParamsSchema,
      body: subscriptionCreateSchema,
      maxBodyBytes: MAX_SUBSCRIPTION_BODY_BYTES,
    },
    {
      201: {
        description: "Created; a webhook subscription's secret is in this answer only",
        schema: subscriptionCreatedSchema,
      },
      413: errors("Body too large"),
      415: errors("Content-Type is not application/json"),
      422: errors("MERCHANT_SCOPE_FIXED: the pattern mentions merchantId (field names where)"),
    },
  ),
  subscriptionRoute(
    "GET",
    SUBSCRIPTIONS,
    "listSubscriptions",
    "The merchant's subscriptions",
    { params: merchantParamsSchema },
    {
      200: { description: "The subscriptions (no secrets)", schema: subscriptionListSchema },
    },
  ),
  subscriptionRoute(
    "GET",
    SUBSCRIPTION,
    "getSubscription",
    "One subscription (no secret)",
    { params: subscriptionParamsSchema },
    {
      200: { description: "The subscription", schema: subscriptionViewSchema },
    },
  ),
  subscriptionRoute(
    "DELETE",
    SUBSCRIPTION,
    "deleteSubscription",
    "Delete a subscription and its rule",
    { params: subscriptionParamsSchema },
    { 204: { description: "Deleted" } },
  ),
  subscriptionRoute(
    "POST",
    `${SUBSCRIPTION}/pause`,
    "pauseSubscription",
    "Pause: nothing is delivered until resumed",
    { params: subscriptionParamsSchema },
    {
      200: { description: "Paused", schema: subscriptionViewSchema },
      409: errors("SUBSCRIPTION_CHANGED: repeat"),
    },
  ),
  subscriptionRoute(
    "POST",
    `${SUBSCRIPTION}/resume`,
    "resumeSubscription",
    "Resume; with deliverBacklog (or the subscription's deliverBacklogOnResume) the paused time's events follow",
    { params: subscriptionParamsSchema, body: resumeSchema, maxBodyBytes: 1024 },
    {
      200: { description: "Active again", schema: subscriptionResumedSchema },
      409: errors("SUBSCRIPTION_CHANGED: repeat"),
    },
  ),
  subscriptionRoute(
    "POST",
    `${SUBSCRIPTION}/rotate-secret`,
    "rotateSubscriptionSecret",
    "A new signing secret (returned once); the previous one also signs for graceSeconds",
    { params: subscriptionParamsSchema, body: rotateSecretSchema, maxBodyBytes: 1024 },
    {
      200: { description: "The new secret", schema: rotatedSecretSchema },
      409: errors("SUBSCRIPTION_CHANGED: repeat"),
      422: errors("NOT_SIGNED: not a webhook subscription"),
    },
  ),
  subscriptionRoute(
    "POST",
    `${SUBSCRIPTION}/redeliveries`,
    "redeliverSubscriptionEvents",
    "Send the merchant's matching events of a time range again (at most 14 days, 10,000 events per call)",
    { params: subscriptionParamsSchema, body: redeliverySchema, maxBodyBytes: 1024 },
    {
      202: { description: "Queued for delivery", schema: redeliveryResultSchema },
      422: errors("REDELIVERY_NOT_SUPPORTED: not a webhook subscription"),
    },
  ),
  subscriptionRoute(
    "GET",
    `${SUBSCRIPTION}/dead-letters`,
    "listSubscriptionDeadLetters",
    "Deliveries that failed for longer than the retry age (kept 14 days)",
    { params: subscriptionParamsSchema },
    { 200: { description: "Dead letters, oldest first", schema: deadLetterListSchema } },
  ),
  subscriptionRoute(
    "POST",
    `${SUBSCRIPTION}/dead-letters/redeliver`,
    "redeliverSubscriptionDeadLetters",
    "Send dead letters again (all, or the given ids) with a fresh retry budget",
    {
      params: subscriptionParamsSchema,
      body: deadLetterRedeliverSchema,
      maxBodyBytes: MAX_SUBSCRIPTION_BODY_BYTES,
    },
    {
      202: { description: "Queued for delivery", schema: deadLettersRedeliveredSchema },
      422: errors("REDELIVERY_NOT_SUPPORTED: not a webhook subscription"),
    },
  ),
];

routes.push(...subscriptionRoutes);

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
  queues?: Record<QueueId, { url: string; arn: string }>;
  /** AWS only: the role EventBridge assumes to deliver subscription events to a merchant's bus. */
  subscriptionBusTargetRoleArn?: string;
  /** Where order documents' files go: the S3 bucket (AWS) or a folder (one machine). */
  documents?: { bucketName: string } | { directory: string };
}): Record<string, string> {
  const env: Record<string, string> = {
    TABLE_NAME: resolved.tableName,
    EVENT_BUS_NAME: resolved.eventBusName,
    POWERTOOLS_SERVICE_NAME: APP_NAME,
  };
  for (const [id, machine] of Object.entries(stateMachines) as [StateMachineId, StateMachineDeclaration][]) {
    env[machine.arnVariable] = resolved.stateMachineArns[id];
  }
  if (resolved.subscriptionBusTargetRoleArn) {
    env.SUBSCRIPTION_BUS_TARGET_ROLE_ARN = resolved.subscriptionBusTargetRoleArn;
  }
  for (const [id, queue] of Object.entries(resolved.queues ?? {}) as [
    QueueId,
    { url: string; arn: string },
  ][]) {
    env[queues[id].urlVariable] = queue.url;
    env[queues[id].arnVariable] = queue.arn;
  }
  if (resolved.documents && "bucketName" in resolved.documents) {
    env.DOCUMENT_BUCKET_NAME = resolved.documents.bucketName;
  } else if (resolved.documents) {
    env.DOCUMENTS_DIR = resolved.documents.directory;
  }
  return env;
}

/** A function run on a schedule (an EventBridge schedule rule on AWS; the local runtime's timer). */
export interface ScheduleDeclaration {
  name: string;
  description: string;
  /** `rate(<n> minute(s)|hour(s)|day(s))`: the form both homes run. */
  expression: string;
  functionId: FunctionId;
}

export const schedules: ScheduleDeclaration[] = [
  {
    name: `${APP_NAME}-routing-waves`,
    description: "Routing waves: source the orders waiting in AWAITING_WAVE (channels in wave mode) together",
    expression: "rate(5 minutes)",
    functionId: "scheduled-routing-wave",
  },
  {
    name: `${APP_NAME}-submission-deadlines`,
    description: "Parts submitted to locations that answer: escalate or re-allocate those unanswered in time",
    expression: "rate(1 minute)",
    functionId: "scheduled-submission-sweep",
  },
  {
    name: `${APP_NAME}-reservation-holds`,
    description:
      "Reservation holds: release the stock of orders still stuck or awaiting approval past their hold time",
    expression: "rate(1 minute)",
    functionId: "scheduled-hold-expiry",
  },
];
