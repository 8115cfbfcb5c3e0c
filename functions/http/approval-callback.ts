// POST /approval-callbacks/{callbackId}: a third party's decision. The callback id (sent only with the
// request event) names the order and reason; no other credential is needed.
import middy from "@middy/core";
import { callbackParamsSchema } from "../../app/api-schemas.ts";
import { decisionInputSchema } from "../../domain/approval/approval.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { decideByCallback, publicView } from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = approvalDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(8192))
  .handler(async (event) => {
    const params = callbackParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const body = decisionInputSchema.safeParse(event.jsonBody);
    if (!body.success) throw toValidationError(body.error);
    const result = await decideByCallback(deps, params.data.callbackId, body.data);
    return jsonResponse(200, { approval: publicView(result.approval), repeated: result.repeated });
  });
