// GET /orders/{orderId}/routing: how the order was routed and why (the DOSE trace).
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getOrderRouting } from "../../usecases/routing-tasks.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const parsed = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await getOrderRouting(deps, params.orderId));
  });
