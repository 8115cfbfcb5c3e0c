// GET /orders/{orderId}/submissions: the order's parts at every location (every re-allocation round).
import middy from "@middy/core";
import { orderIdParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { listOrderSubmissions } from "../../usecases/submissions.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = useCaseDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = orderIdParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, await listOrderSubmissions(deps, params.data.orderId));
  });
