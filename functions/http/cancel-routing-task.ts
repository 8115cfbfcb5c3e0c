// POST /routing/tasks/{taskId}/cancel: an operator cancels the order.
import middy from "@middy/core";
import { routingTaskParamsSchema } from "../../app/api-schemas.ts";
import { MAX_ROUTING_BODY_BYTES } from "../../app/app-declaration.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { cancelRoutingTask } from "../../usecases/routing-tasks.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ROUTING_BODY_BYTES))
  .handler(async (event) => {
    const parsed = routingTaskParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await cancelRoutingTask(deps, params.taskId, event.jsonBody));
  });
