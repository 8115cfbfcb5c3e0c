// GET /orders/{orderId}/events: the order's full event history from the table, in sequence. Every order
// has at least its order.created event, so an empty history means there is no such order.
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { NotFoundError } from "../../domain/shared/errors.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { orderRepository } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const repo = orderRepository();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const items = await repo.listOrderEvents(params.data.orderId);
    if (items.length === 0) {
      throw new NotFoundError("ORDER_NOT_FOUND", `order ${params.data.orderId} does not exist`, "orderId");
    }
    return jsonResponse(200, { orderId: params.data.orderId, items });
  });
