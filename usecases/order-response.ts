// The temporary order response as a use case: the respond step's decision (the pure builder over the
// order and its locations' configuration) and the read behind GET /orders/{orderId}/response.
import { buildTemporaryResponse, type TemporaryResponse } from "../domain/fulfillment/order-response.ts";
import type { OrderCommand } from "../domain/order/lifecycle.ts";
import type { Order } from "../domain/order/order.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import type { InventoryRepository, OrderRepository } from "./ports.ts";

/** The respond step's command: the response built from the order's routing and its locations. */
export async function decideResponse(
  inventory: Pick<InventoryRepository, "listLocations">,
  order: Order,
): Promise<OrderCommand> {
  const locations = await inventory.listLocations();
  const byId = new Map(locations.map((l) => [l.locationId, l]));
  return { action: "respond", response: buildTemporaryResponse(order, byId) };
}

/** The response last sent for an order. NotFoundError ORDER_NOT_FOUND or RESPONSE_NOT_READY. */
export async function getOrderResponse(
  repo: Pick<OrderRepository, "getOrder">,
  orderId: string,
): Promise<TemporaryResponse & { status: Order["status"] }> {
  const order = await repo.getOrder(orderId, false);
  if (!order) throw new NotFoundError("ORDER_NOT_FOUND", `order ${orderId} does not exist`, "orderId");
  if (!order.response) {
    throw new NotFoundError(
      "RESPONSE_NOT_READY",
      `order ${orderId} is ${order.status}: its temporary response is sent once it is routed`,
      "orderId",
    );
  }
  return { ...order.response, status: order.status };
}
