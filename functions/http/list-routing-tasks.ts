// GET /routing/tasks?status=&limit=&cursor=: manual routing tasks, oldest first (open ones by default).
import middy from "@middy/core";
import { listRoutingTasksQuerySchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { listRoutingTasks } from "../../usecases/routing-tasks.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = listRoutingTasksQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    return jsonResponse(200, await listRoutingTasks(deps, query.data));
  });
