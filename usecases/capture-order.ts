// Capture: validate a channel's order, make it idempotent (Idempotency-Key and the channel's own order
// number), store it with its order.created event in one transaction, then start its workflow.
import { createHash } from "node:crypto";
import { createdEvent } from "../domain/order/lifecycle.ts";
import { createOrder, type OrderStatus } from "../domain/order/order.ts";
import { type OrderInput, orderInputSchema } from "../domain/order/order-input.ts";
import { assertCapturable } from "../domain/order/validation-rules.ts";
import { canonicalJson } from "../domain/shared/canonical-json.ts";
import { ConflictError, NotFoundError, UnavailableError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type { Clock, IdSource, OrderRepository, WorkflowStarter } from "./ports.ts";

export interface CaptureDeps {
  repo: OrderRepository;
  workflows: WorkflowStarter;
  clock: Clock;
  ids: IdSource;
}

export interface CaptureResult {
  orderId: string;
  status: OrderStatus;
  /** True when this request repeated an earlier one and got its answer back. */
  replayed: boolean;
}

/** Key order and whitespace do not make two requests different: hash the parsed input canonically. */
export function requestHash(input: OrderInput): string {
  return createHash("sha256").update(canonicalJson(input)).digest("hex");
}

export async function captureOrder(
  deps: CaptureDeps,
  body: unknown,
  idempotencyKey?: string,
): Promise<CaptureResult> {
  const parsed = orderInputSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const input = parsed.data;
  const hash = requestHash(input);

  const channel = await deps.repo.getChannel(input.channelId);
  if (!channel) {
    throw new NotFoundError("CHANNEL_NOT_FOUND", `unknown channel ${input.channelId}`, "channelId");
  }

  // Optimistic: a repeat is rare, so no reads before the write. The transaction's conditions on the
  // idempotency record and the order-number claim detect a repeat; only then is the earlier answer read.
  try {
    assertCapturable(input, channel);
  } catch (error) {
    const replay = await findEarlierAnswer(deps, input, hash, idempotencyKey);
    if (replay) return replay;
    throw error;
  }
  const orderId = deps.ids.orderId();
  const { order, event } = createdEvent(
    createOrder(input, channel, orderId, deps.clock.now()),
    deps.ids.eventId(),
  );
  try {
    await deps.repo.captureOrder(order, event, hash, idempotencyKey);
  } catch (error) {
    if (error instanceof ConflictError) {
      // The key or the order number is taken: the same request again (answer as before), or a conflict
      // that findEarlierAnswer names (IDEMPOTENCY_KEY_REUSED, DUPLICATE_CHANNEL_ORDER_REF).
      const replay = await findEarlierAnswer(deps, input, hash, idempotencyKey);
      if (replay) return replay;
    }
    throw error;
  }
  await startWorkflow(deps, input.orderType, orderId);
  return { orderId, status: order.status, replayed: false };
}

/**
 * The answer to a request seen before: same Idempotency-Key and body, or (without a key) the same body
 * for the same channel order number. The workflow start is repeated, since a crash may have struck
 * between the write and the start; starting twice is a no-op.
 */
async function findEarlierAnswer(
  deps: CaptureDeps,
  input: OrderInput,
  hash: string,
  idempotencyKey: string | undefined,
): Promise<CaptureResult | undefined> {
  let orderId: string | undefined;
  if (idempotencyKey) {
    const record = await deps.repo.getIdempotencyRecord(input.channelId, idempotencyKey);
    if (record && record.requestHash !== hash) {
      throw new ConflictError(
        "IDEMPOTENCY_KEY_REUSED",
        `Idempotency-Key ${idempotencyKey} was used for a different request (order ${record.orderId})`,
        "header.Idempotency-Key",
        { orderId: record.orderId },
      );
    }
    orderId = record?.orderId;
  }
  if (!orderId) {
    const ref = await deps.repo.getChannelOrderRef(input.channelId, input.channelOrderRef);
    if (ref && (idempotencyKey || ref.requestHash !== hash)) {
      throw new ConflictError(
        "DUPLICATE_CHANNEL_ORDER_REF",
        `channel ${input.channelId} already submitted order ${input.channelOrderRef} (order ${ref.orderId})`,
        "channelOrderRef",
        { orderId: ref.orderId },
      );
    }
    orderId = ref?.orderId;
  }
  if (!orderId) return undefined;
  const order = await deps.repo.getOrder(orderId);
  if (!order) return undefined;
  await startWorkflow(deps, order.orderType, orderId);
  return { orderId, status: order.status, replayed: true };
}

async function startWorkflow(
  deps: CaptureDeps,
  orderType: OrderInput["orderType"],
  orderId: string,
): Promise<void> {
  try {
    await deps.workflows.startOrderWorkflow(orderType, orderId);
  } catch (error) {
    throw new UnavailableError(
      "WORKFLOW_START_FAILED",
      `order ${orderId} is stored but its workflow did not start; repeat the request with the same Idempotency-Key`,
      { cause: error },
    );
  }
}
