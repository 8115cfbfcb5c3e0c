// The lifecycle table: legal paths, refusals with reasons, reachability, terminality, idempotent replays.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { orderEventSchema } from "../../domain/events/order-events.ts";
import {
  alreadyApplied,
  applyCommand,
  createdEvent,
  ORDER_LIFECYCLE,
  type OrderCommand,
  refusal,
  TERMINAL_STATUSES,
} from "../../domain/order/lifecycle.ts";
import { ORDER_STATUSES, type Order } from "../../domain/order/order.ts";
import { IllegalTransitionError } from "../../domain/shared/errors.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

const at = "2026-11-23T10:00:01.000Z";
let n = 0;
const apply = (order: Order, command: OrderCommand) => applyCommand(order, command, at, `e${++n}`);
const route: OrderCommand = {
  action: "route",
  assignments: [
    { lineId: "1", locationId: "wh-1" },
    { lineId: "2", locationId: "wh-1" },
  ],
};

describe("order lifecycle", () => {
  it("takes an order from INITIAL to SUBMITTED with one event per step, numbered in sequence", () => {
    const created = createdEvent(sampleOrder(), "e0");
    let order = created.order;
    const events = [created.event];
    for (const command of [
      { action: "validate" },
      route,
      { action: "submit", accepted: ["wh-1"] },
    ] as OrderCommand[]) {
      const step = apply(order, command);
      order = step.order;
      events.push(step.event);
    }
    expect(order.status).toBe("SUBMITTED");
    expect(order.positions.every((p) => p.status === "SUBMITTED" && p.locationId === "wh-1")).toBe(true);
    expect(events.map((e) => e.type)).toEqual([
      "order.created",
      "order.validated",
      "order.routed",
      "order.submitted",
    ]);
    expect(events.map((e) => e.sequence)).toEqual([1, 2, 3, 4]);
    expect(order.timeline.map((t) => t.status)).toEqual(["INITIAL", "VALIDATED", "ROUTED", "SUBMITTED"]);
    for (const event of events) expect(orderEventSchema.safeParse(event).success).toBe(true);
  });

  it("refuses a step out of order with the reason", () => {
    const order = sampleOrder();
    expect(refusal(order, { action: "submit", accepted: [] })).toMatch(
      /allowed only from ROUTED; the order is INITIAL/,
    );
    expect(() => apply(order, { action: "submit", accepted: [] })).toThrow(IllegalTransitionError);
  });

  it("refuses routing that leaves a position without a location", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    const partial: OrderCommand = { action: "route", assignments: [{ lineId: "1", locationId: "wh-1" }] };
    expect(refusal(validated, partial)).toBe("positions without a location: 2");
  });

  it("raises an exception and recovers to the status where it struck", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    const failed = apply(validated, { action: "raise-exception", error: "Boom", cause: "disk on fire" });
    expect(failed.order.status).toBe("EXCEPTION");
    expect(failed.order.exception).toMatchObject({
      previousStatus: "VALIDATED",
      error: "Boom",
      cause: "disk on fire",
    });
    const recovered = apply(failed.order, { action: "recover" });
    expect(recovered.order.status).toBe("VALIDATED");
    expect(recovered.order.exception).toBeUndefined();
    expect(recovered.event.type).toBe("order.recovered");
  });

  it("knows when a step's effect is already recorded", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    expect(alreadyApplied(validated, "validate")).toBe(true);
    expect(alreadyApplied(validated, "route")).toBe(false);
  });

  it("routes a position without stock as backordered, and records it in order.routed", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    const { order, event } = apply(validated, {
      action: "route",
      assignments: [
        { lineId: "1", locationId: "wh-1" },
        { lineId: "2", locationId: "wh-1", backordered: true },
      ],
    });
    expect(order.positions.map((p) => p.backordered)).toEqual([undefined, true]);
    expect(event).toMatchObject({
      type: "order.routed",
      data: { assignments: [{ lineId: "1" }, { lineId: "2", backordered: true }] },
    });
    expect((event.data as { assignments: object[] }).assignments[0]).not.toHaveProperty("backordered");
    expect(orderEventSchema.safeParse(event).success).toBe(true);
  });

  it("stops an order no location can deliver in NOT_ANNOUNCED, naming the positions and why", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    const command: OrderCommand = {
      action: "not-announce",
      positions: [{ lineId: "2", reason: "no stock" }],
    };
    const { order, event } = apply(validated, command);
    expect(order.status).toBe("NOT_ANNOUNCED");
    expect(order.positions.map((p) => p.status)).toEqual(["OPEN", "NOT_ANNOUNCED"]);
    expect(order.positions[1]?.notAnnouncedReason).toBe("no stock");
    expect(event).toMatchObject({
      type: "order.not-announced",
      data: {
        status: "NOT_ANNOUNCED",
        previousStatus: "VALIDATED",
        positions: [{ lineId: "2", sku: "SKU-MUG", quantity: 1, reason: "no stock" }],
      },
    });
    expect(orderEventSchema.safeParse(event).success).toBe(true);
    expect(refusal(validated, { action: "not-announce", positions: [] })).toMatch(/at least one position/);
    expect(refusal(validated, { action: "not-announce", positions: [{ lineId: "9", reason: "x" }] })).toBe(
      "unknown positions: 9",
    );
    expect(refusal(sampleOrder(), command)).toMatch(/allowed only from VALIDATED/);
    // Nothing leaves it: no exception, no routing, no submission.
    for (const next of [
      { action: "submit", accepted: [] },
      route,
      { action: "raise-exception", error: "E", cause: "c" },
    ]) {
      expect(refusal(order, next as OrderCommand)).toBeDefined();
    }
  });

  it("reaches every status from INITIAL and has SUBMITTED, REJECTED, CANCELLED and DECLINED as its only terminal statuses", () => {
    const reachable = new Set<string>(["INITIAL"]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const rule of Object.values(ORDER_LIFECYCLE)) {
        if (!rule.from.some((s) => reachable.has(s))) continue;
        // recover returns to where the exception struck: any status an exception can be raised from
        const targets = typeof rule.to === "function" ? ORDER_LIFECYCLE["raise-exception"].from : [rule.to];
        for (const t of targets) {
          if (!reachable.has(t)) {
            reachable.add(t);
            grew = true;
          }
        }
      }
    }
    expect([...reachable].sort()).toEqual([...ORDER_STATUSES].sort());
    expect([...TERMINAL_STATUSES].sort()).toEqual(["CANCELLED", "DECLINED", "REJECTED", "SUBMITTED"]);
    for (const status of TERMINAL_STATUSES) {
      const order = { ...sampleOrder(), status };
      for (const action of Object.keys(ORDER_LIFECYCLE)) {
        expect(refusal(order, { action } as OrderCommand)).toBeDefined();
      }
    }
  });

  it("routes a position over several locations, then leaves CHECK_ANNOUNCED by a manual assignment", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    const checked = apply(validated, {
      action: "check-announce",
      positions: [{ lineId: "2", reason: "promise too late" }],
      assignments: [
        {
          lineId: "1",
          allocations: [
            { locationId: "a", quantity: 1 },
            { locationId: "b", quantity: 1 },
          ],
        },
      ],
      routing: { ruleSets: [{ ruleSetId: "rs", version: 2 }] },
    });
    expect(checked.order.status).toBe("CHECK_ANNOUNCED");
    expect(checked.order.positions.map((p) => p.status)).toEqual(["ASSIGNED", "CHECK_ANNOUNCED"]);
    expect(checked.order.positions[0]?.locationId).toBeUndefined();
    expect(checked.event.type).toBe("order.check-announced");
    expect(
      refusal(checked.order, {
        action: "assign-manually",
        taskId: "t",
        assignments: [{ lineId: "1", locationId: "c" }],
      }),
    ).toBe("positions already assigned: 1");
    const routed = apply(checked.order, {
      action: "assign-manually",
      taskId: "t",
      assignments: [{ lineId: "2", allocations: [{ locationId: "c", quantity: 1 }] }],
    });
    expect(routed.order.status).toBe("ROUTED");
    expect(routed.order.routing).toMatchObject({ ruleSets: [{ ruleSetId: "rs", version: 2 }], manual: true });
    expect(routed.event).toMatchObject({
      type: "order.routed",
      data: {
        manual: true,
        assignments: [
          { lineId: "1", locationId: "a", quantity: 1 },
          { lineId: "1", locationId: "b", quantity: 1 },
          { lineId: "2", locationId: "c", quantity: 1 },
        ],
      },
    });
    const submitted = apply(routed.order, { action: "submit", accepted: ["a", "b", "c"] });
    expect(submitted.event).toMatchObject({ data: { locationIds: ["a", "b", "c"] } });
  });

  it("refuses allocations that do not add up to the position's quantity", () => {
    const validated = apply(sampleOrder(), { action: "validate" }).order;
    expect(
      refusal(validated, {
        action: "route",
        assignments: [
          { lineId: "1", allocations: [{ locationId: "a", quantity: 1 }] },
          { lineId: "2", locationId: "a" },
        ],
      }),
    ).toBe("position 1: allocations add up to 1, not 2");
  });

  it("never changes status without recording exactly one event with the next sequence (property)", () => {
    const commands: OrderCommand[] = [
      { action: "validate" },
      { action: "reject", reasons: ["r"] },
      route,
      { action: "not-announce", positions: [{ lineId: "1", reason: "no stock" }] },
      {
        action: "check-announce",
        positions: [{ lineId: "2", reason: "too late" }],
        assignments: [{ lineId: "1", allocations: [{ locationId: "wh-1", quantity: 2 }] }],
      },
      {
        action: "assign-manually",
        taskId: "t",
        assignments: [
          { lineId: "1", locationId: "wh-2" },
          { lineId: "2", locationId: "wh-2" },
        ],
      },
      { action: "cancel", reason: "customer asked" },
      { action: "submit", accepted: ["wh-1", "wh-2"] },
      { action: "raise-exception", error: "E", cause: "c" },
      { action: "recover" },
      {
        action: "respond",
        response: {
          orderId: "01HZZZZZZZZZZZZZZZZZZZZZZZ",
          channelOrderRef: "WEB-100001",
          currency: "EUR",
          assignedAt: at,
          lines: [
            {
              lineId: "1",
              sku: "SKU-TSHIRT-M",
              quantity: 2,
              salesPrice: 19.9,
              availability: "IN_STOCK",
              allocations: [{ locationId: "wh-1", quantity: 2, availability: "IN_STOCK" }],
            },
          ],
        },
      },
      {
        action: "request-approval",
        steps: [
          {
            rank: 1,
            reasons: [
              {
                reasonId: "credit",
                rank: 1,
                timeoutSeconds: 60,
                onTimeout: "DECLINE",
                rerouteAfterApproval: false,
              },
            ],
          },
        ],
      },
      { action: "approve", reasonIds: ["credit"], reroute: false },
      { action: "approve", reasonIds: ["credit"], reroute: true },
      { action: "decline", reasonId: "credit", actor: "ops", comment: "no" },
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...commands), { maxLength: 12 }), (sequence) => {
        let order = createdEvent(sampleOrder(), "e0").order;
        for (const command of sequence) {
          if (refusal(order, command)) {
            expect(() => apply(order, command)).toThrow(IllegalTransitionError);
            continue;
          }
          const { order: next, event } = apply(order, command);
          expect(event.sequence).toBe(order.eventSequence + 1);
          expect(next.version).toBe(order.version + 1);
          expect(next.timeline.length).toBe(order.timeline.length + 1);
          expect(event.data.status).toBe(next.status);
          order = next;
        }
      }),
    );
  });
});
