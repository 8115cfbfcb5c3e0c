// GET /routing/tasks/{taskId}: a manual routing task.
import middy from "@middy/core";
import { routingTaskParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getRoutingTask } from "../../usecases/routing-tasks.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const parsed = routingTaskParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await getRoutingTask(deps, params.taskId));
  });
