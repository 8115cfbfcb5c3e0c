// GET /orders/{orderId}/response: the temporary order response last sent to the channel.
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getOrderResponse } from "../../usecases/order-response.ts";
import { orderRepository } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const repo = orderRepository();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, await getOrderResponse(repo, params.data.orderId));
  });
