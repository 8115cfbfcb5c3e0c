// POST /locations/{locationId}/submissions/{orderId}/answer: a location accepts or rejects its part of an
// order, per line or for all its open lines (a rejected line is re-allocated to another location).
import middy from "@middy/core";
import { submissionParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { answerSubmission } from "../../usecases/submissions.ts";
import { useCaseDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = useCaseDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(64 * 1024))
  .handler(async (event) => {
    const params = submissionParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const { locationId, orderId } = params.data;
    return jsonResponse(200, await answerSubmission(deps, locationId, orderId, event.jsonBody));
  });
