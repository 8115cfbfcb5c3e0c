// Manual routing through the API: list and read tasks, complete one with an assignment for every open
// position (each allocation validated against the locations and reserved before the order moves on;
// nothing is stored half: a failed write gives the units back), or cancel it (the order is cancelled and
// its reservations released). A completed order continues its workflow at "AfterRouting". Also the
// routing explanation of an order (GET /orders/{orderId}/routing).
import { inDowntime } from "../domain/inventory/location.ts";
import { type Assignment, applyCommand, type OrderCommand } from "../domain/order/lifecycle.ts";
import type { Order, PositionAllocation } from "../domain/order/order.ts";
import type { ResumePoint } from "../domain/order/resume-points.ts";
import { plannedShipDate } from "../domain/routing/promise.ts";
import {
  cancelRoutingTaskSchema,
  completeRoutingTaskSchema,
  type RoutingTask,
  type RoutingTaskStatus,
} from "../domain/routing/routing-task.ts";
import { ConflictError, type ErrorIssue, NotFoundError, ValidationError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type {
  Clock,
  IdSource,
  InventoryRepository,
  OrderRepository,
  RoutingRepository,
  WorkflowStarter,
} from "./ports.ts";
import { releaseOrderReservations, reserveAt } from "./reservations.ts";

export interface RoutingTaskDeps {
  repo: OrderRepository;
  inventory: InventoryRepository;
  routing: RoutingRepository;
  workflows: Pick<WorkflowStarter, "resumeOrder">;
  clock: Clock;
  ids: IdSource;
}

/** Where a completed order's workflow continues. */
export const RESUME_AFTER_ROUTING: ResumePoint = "AfterRouting";

export async function getRoutingTask(
  deps: Pick<RoutingTaskDeps, "routing">,
  taskId: string,
): Promise<RoutingTask> {
  const task = await deps.routing.getTask(taskId);
  if (!task)
    throw new NotFoundError("ROUTING_TASK_NOT_FOUND", `routing task ${taskId} does not exist`, "taskId");
  return task;
}

export async function listRoutingTasks(
  deps: Pick<RoutingTaskDeps, "routing">,
  filter: { status: RoutingTaskStatus; limit: number; cursor?: string | undefined },
) {
  return deps.routing.listTasks(filter);
}

async function loadOrder(repo: OrderRepository, orderId: string): Promise<Order> {
  const order = await repo.getOrder(orderId);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  return order;
}

/**
 * Completes a task: every open position gets allocations adding up to its quantity at enabled locations
 * that are not in downtime; each is reserved; then the order is ROUTED (manual), the task COMPLETED and
 * the capacity counted, in one transaction, and the workflow resumes. A repeat after success resumes again
 * (the first resume may have failed) and answers the same.
 */
export async function completeRoutingTask(
  deps: RoutingTaskDeps,
  taskId: string,
  body: unknown,
): Promise<{ task: RoutingTask; orderStatus: Order["status"] }> {
  const parsed = completeRoutingTaskSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const task = await getRoutingTask(deps, taskId);
  const order = await loadOrder(deps.repo, task.orderId);
  if (task.status === "COMPLETED" && order.status === "ROUTED") {
    await deps.workflows.resumeOrder(order.orderId, RESUME_AFTER_ROUTING, order.orderType);
    return { task, orderStatus: order.status };
  }
  if (task.status !== "OPEN") {
    throw new ConflictError("ROUTING_TASK_CLOSED", `routing task ${taskId} is ${task.status}`, "taskId");
  }

  // Validate the whole assignment before reserving anything.
  const issues: ErrorIssue[] = [];
  const open = new Map(task.positions.map((p) => [p.lineId, p]));
  const seen = new Set<string>();
  const locations = new Map((await deps.inventory.listLocations()).map((l) => [l.locationId, l]));
  const now = deps.clock.now();
  parsed.data.assignments.forEach((a, i) => {
    const position = open.get(a.lineId);
    if (!position || seen.has(a.lineId)) {
      issues.push({
        path: `assignments.${i}.lineId`,
        code: "NOT_AN_OPEN_POSITION",
        message: `${a.lineId} is not an open position of this task (or is named twice)`,
      });
      return;
    }
    seen.add(a.lineId);
    const units = a.allocations.reduce((sum, x) => sum + x.quantity, 0);
    if (units !== position.quantity) {
      issues.push({
        path: `assignments.${i}.allocations`,
        code: "QUANTITY_MISMATCH",
        message: `allocations add up to ${units}, position ${a.lineId} needs ${position.quantity}`,
      });
    }
    a.allocations.forEach((x, j) => {
      const location = locations.get(x.locationId);
      if (!location) {
        issues.push({
          path: `assignments.${i}.allocations.${j}.locationId`,
          code: "LOCATION_NOT_FOUND",
          message: `location ${x.locationId} does not exist`,
        });
      } else if (!location.enabled || inDowntime(location, now)) {
        issues.push({
          path: `assignments.${i}.allocations.${j}.locationId`,
          code: "LOCATION_NOT_OPERATIONAL",
          message: `location ${x.locationId} is disabled or in downtime`,
        });
      }
    });
  });
  const missing = [...open.keys()].filter((lineId) => !seen.has(lineId));
  if (missing.length > 0) {
    issues.push({
      path: "assignments",
      code: "POSITION_MISSING",
      message: `every open position needs a location; missing: ${missing.join(", ")}`,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, "ASSIGNMENT_REFUSED");

  // Reserve allocation by allocation; a shortfall gives back what this request took.
  const taken: { lineId: string; sku: string; locationId: string }[] = [];
  const giveBack = async () => {
    const mine = (await deps.inventory.listReservations(order.orderId)).filter(
      (r) =>
        r.status === "ACTIVE" && taken.some((t) => t.lineId === r.lineId && t.locationId === r.locationId),
    );
    for (const r of mine) await deps.inventory.release(r, "SUPERSEDED", deps.clock.now());
  };
  const assignments: Assignment[] = [];
  for (const [i, a] of parsed.data.assignments.entries()) {
    const sku = open.get(a.lineId)?.sku ?? "";
    const allocations: PositionAllocation[] = [];
    for (const [j, x] of a.allocations.entries()) {
      if (!(await reserveAt(deps, order, a.lineId, sku, x.locationId, x.quantity))) {
        await giveBack();
        throw new ConflictError(
          "INSUFFICIENT_STOCK",
          `${x.locationId} cannot reserve ${x.quantity} x ${sku}`,
          `assignments.${i}.allocations.${j}.quantity`,
        );
      }
      taken.push({ lineId: a.lineId, sku, locationId: x.locationId });
      const location = locations.get(x.locationId);
      const shipDate = location ? plannedShipDate(location, now) : undefined;
      allocations.push({ ...x, ...(shipDate ? { shipDate } : {}) });
    }
    assignments.push({ lineId: a.lineId, allocations });
  }

  const command: OrderCommand = { action: "assign-manually", assignments, taskId };
  const applied = applyCommand(order, command, now, deps.ids.eventId());
  const resolved: RoutingTask = {
    ...task,
    status: "COMPLETED",
    updatedAt: now,
    resolution: { by: "ASSIGNED", at: now, ...(parsed.data.note ? { note: parsed.data.note } : {}) },
  };
  const capacity = new Map<string, { locationId: string; date: string; orders: number; units: number }>();
  for (const a of assignments) {
    for (const x of a.allocations ?? []) {
      if (!x.shipDate) continue;
      const key = `${x.locationId}|${x.shipDate}`;
      const use = capacity.get(key) ?? { locationId: x.locationId, date: x.shipDate, orders: 1, units: 0 };
      use.units += x.quantity;
      capacity.set(key, use);
    }
  }
  try {
    await deps.routing.saveRouting(order.version, applied.order, [applied.event], {
      task: { task: resolved, expect: "open" },
      capacityUse: [...capacity.values()],
    });
  } catch (error) {
    await giveBack();
    throw error;
  }
  await deps.workflows.resumeOrder(order.orderId, RESUME_AFTER_ROUTING, order.orderType);
  return { task: resolved, orderStatus: applied.order.status };
}

/** Cancels a task: the order is CANCELLED (with the reason) and its reservations go back. Idempotent. */
export async function cancelRoutingTask(
  deps: RoutingTaskDeps,
  taskId: string,
  body: unknown,
): Promise<{ task: RoutingTask; orderStatus: Order["status"] }> {
  const parsed = cancelRoutingTaskSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const task = await getRoutingTask(deps, taskId);
  const order = await loadOrder(deps.repo, task.orderId);
  if (task.status === "CANCELLED") {
    await releaseOrderReservations(deps, order.orderId, "CANCELLED");
    return { task, orderStatus: order.status };
  }
  if (task.status !== "OPEN") {
    throw new ConflictError("ROUTING_TASK_CLOSED", `routing task ${taskId} is ${task.status}`, "taskId");
  }
  const now = deps.clock.now();
  const applied = applyCommand(
    order,
    { action: "cancel", reason: parsed.data.reason },
    now,
    deps.ids.eventId(),
  );
  const resolved: RoutingTask = {
    ...task,
    status: "CANCELLED",
    updatedAt: now,
    resolution: { by: "CANCELLED", at: now, note: parsed.data.reason },
  };
  await deps.routing.saveRouting(order.version, applied.order, [applied.event], {
    task: { task: resolved, expect: "open" },
  });
  await releaseOrderReservations(deps, order.orderId, "CANCELLED");
  return { task: resolved, orderStatus: applied.order.status };
}

/** GET /orders/{orderId}/routing: what routed the order, per position, and the stored trace. */
export async function getOrderRouting(deps: Pick<RoutingTaskDeps, "repo" | "routing">, orderId: string) {
  const [order, trace, task] = await Promise.all([
    deps.repo.getOrder(orderId, false),
    deps.routing.getTrace(orderId),
    deps.routing.getTask(orderId),
  ]);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  return {
    orderId,
    status: order.status,
    ...(order.routing ? { routing: order.routing } : {}),
    positions: order.positions.map((p) => ({
      lineId: p.lineId,
      sku: p.sku,
      quantity: p.quantity,
      status: p.status,
      ...(p.allocations ? { allocations: p.allocations } : {}),
      ...(p.routedBy ? { routedBy: p.routedBy } : {}),
      ...(p.backordered ? { backordered: true } : {}),
      ...(p.checkAnnouncedReason ? { reason: p.checkAnnouncedReason } : {}),
      ...(p.notAnnouncedReason ? { reason: p.notAnnouncedReason } : {}),
    })),
    ...(trace ? { trace: trace.trace, traceCompacted: trace.compacted } : {}),
    ...(task ? { task } : {}),
  };
}
