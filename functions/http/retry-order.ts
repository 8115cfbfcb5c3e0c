// POST /orders/{orderId}/retry: an operator continues an order in EXCEPTION once the cause is fixed; a
// new workflow execution starts at the step that failed (usecases/retry-order.ts).
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { retryOrder } from "../../usecases/retry-order.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = useCaseDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(202, await retryOrder(deps, params.data.orderId));
  });
