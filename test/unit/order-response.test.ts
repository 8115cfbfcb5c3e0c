// The temporary order response: per line the location, availability, planned date and both prices, built
// purely from a routed order and its locations; recorded through the lifecycle as order.response.
import { describe, expect, it } from "vitest";
import { orderEventSchema } from "../../domain/events/order-events.ts";
import { buildTemporaryResponse, type ResponseLocation } from "../../domain/fulfillment/order-response.ts";
import { applyCommand, type OrderCommand } from "../../domain/order/lifecycle.ts";
import type { Order } from "../../domain/order/order.ts";
import { getOrderResponse } from "../../usecases/order-response.ts";
import { sampleOrder } from "../support/order-fixtures.ts";

// Monday 23 November 2026, 16:30 in Berlin: after the warehouse's 16:00 cut-off, before the supplier's.
const ROUTED_AT = "2026-11-23T15:30:00.000Z";

function routed(assignments: { lineId: string; locationId: string; backordered?: boolean }[]): Order {
  let order = applyCommand(sampleOrder(), { action: "validate" }, "2026-11-23T15:29:00.000Z", "e1").order;
  order = applyCommand(order, { action: "route", assignments }, ROUTED_AT, "e2").order;
  return order;
}

const calendar = { workingDays: [1, 2, 3, 4, 5], holidays: [], downtimes: [] };
const locations = new Map<string, ResponseLocation>([
  [
    "wh-1",
    { ...calendar, timeZone: "Europe/Berlin", cutOffTime: "16:00", purchasePrices: { "SKU-TSHIRT-M": 6.4 } },
  ],
  ["sup-1", { ...calendar, timeZone: "America/New_York", cutOffTime: "17:00", leadTimeDays: 3 }],
]);

describe("temporary order response", () => {
  it("gives each line its location, availability, planned shipping date and prices", () => {
    const order = routed([
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "sup-1" },
    ]);
    const response = buildTemporaryResponse(order, locations);
    expect(response).toEqual({
      orderId: order.orderId,
      channelOrderRef: "WEB-100001",
      currency: "EUR",
      assignedAt: ROUTED_AT,
      lines: [
        {
          lineId: "1",
          sku: "SKU-TSHIRT-M",
          quantity: 2,
          salesPrice: 19.9,
          availability: "IN_STOCK",
          plannedShippingDate: "2026-11-24", // after the Berlin cut-off: Tuesday
          allocations: [
            {
              locationId: "wh-1",
              quantity: 2,
              availability: "IN_STOCK",
              plannedShippingDate: "2026-11-24",
              purchasePrice: 6.4,
            },
          ],
        },
        {
          lineId: "2",
          sku: "SKU-MUG",
          quantity: 1,
          salesPrice: 9.5,
          availability: "IN_STOCK",
          // 10:30 in New York, before its cut-off: Monday, plus three working days of lead time.
          plannedShippingDate: "2026-11-26",
          allocations: [
            { locationId: "sup-1", quantity: 1, availability: "IN_STOCK", plannedShippingDate: "2026-11-26" },
          ],
        },
      ],
    });
  });

  it("has no planned date for a backordered line", () => {
    const order = routed([
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "wh-1", backordered: true },
    ]);
    const line = buildTemporaryResponse(order, locations).lines[1];
    expect(line).toEqual({
      lineId: "2",
      sku: "SKU-MUG",
      quantity: 1,
      salesPrice: 9.5,
      availability: "BACKORDERED",
      allocations: [{ locationId: "wh-1", quantity: 1, availability: "BACKORDERED" }],
    });
  });

  it("refuses an order that is not routed, or routed to a location that no longer exists", () => {
    expect(() => buildTemporaryResponse(sampleOrder(), locations)).toThrow(
      expect.objectContaining({ code: "NOT_ROUTED" }),
    );
    const gone = routed([
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "wh-gone" },
    ]);
    expect(() => buildTemporaryResponse(gone, locations)).toThrow(
      expect.objectContaining({ code: "LOCATION_NOT_FOUND" }),
    );
  });

  it("is recorded on the order without a status change, as a valid order.response event", () => {
    const order = routed([
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "wh-1" },
    ]);
    const command: OrderCommand = { action: "respond", response: buildTemporaryResponse(order, locations) };
    const { order: next, event } = applyCommand(order, command, "2026-11-23T15:30:01.000Z", "e3");
    expect(next.status).toBe("ROUTED");
    expect(next.response).toEqual(command.response);
    expect(next.timeline.at(-1)).toMatchObject({ status: "ROUTED", action: "respond" });
    expect(orderEventSchema.parse(event)).toMatchObject({
      type: "order.response",
      sequence: order.eventSequence + 1,
      data: { status: "ROUTED", previousStatus: "ROUTED", assignedAt: ROUTED_AT },
    });
    // Another order's response is refused.
    const foreign = { ...command.response, orderId: "01HYYYYYYYYYYYYYYYYYYYYYYY" };
    expect(() => applyCommand(order, { action: "respond", response: foreign }, ROUTED_AT, "e4")).toThrow(
      /another order's/,
    );
    // Before routing there is nothing to answer.
    expect(() => applyCommand(sampleOrder(), command, ROUTED_AT, "e5")).toThrow(/allowed only from ROUTED/);
  });

  it("GET /orders/{id}/response: RESPONSE_NOT_READY until the response is recorded", async () => {
    const order = routed([
      { lineId: "1", locationId: "wh-1" },
      { lineId: "2", locationId: "wh-1" },
    ]);
    const stored = new Map<string, Order>([[order.orderId, order]]);
    const repo = { getOrder: async (id: string) => stored.get(id) };
    await expect(getOrderResponse(repo, order.orderId)).rejects.toMatchObject({ code: "RESPONSE_NOT_READY" });
    await expect(getOrderResponse(repo, "01HYYYYYYYYYYYYYYYYYYYYYYY")).rejects.toMatchObject({
      code: "ORDER_NOT_FOUND",
    });
    const response = buildTemporaryResponse(order, locations);
    stored.set(order.orderId, { ...order, response });
    expect(await getOrderResponse(repo, order.orderId)).toEqual({ ...response, status: "ROUTED" });
  });
});
