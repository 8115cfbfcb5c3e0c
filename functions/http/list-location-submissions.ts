// GET /locations/{locationId}/submissions?status=OPEN|OVERDUE: a polling location's work list (OPEN), or
// the parts operators must chase (OVERDUE), soonest due first.
import middy from "@middy/core";
import { listSubmissionsQuerySchema, locationParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { listLocationSubmissions } from "../../usecases/submissions.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = useCaseDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = locationParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const query = listSubmissionsQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    return jsonResponse(200, await listLocationSubmissions(deps, params.data.locationId, query.data));
  });
