// POST /orders/{orderId}/approvals/{reasonId}/decision: an operator approves or declines one reason.
import middy from "@middy/core";
import { approvalParamsSchema } from "../../app/api-schemas.ts";
import { decisionInputSchema } from "../../domain/approval/approval.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { decideApproval, publicView } from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = approvalDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(8192))
  .handler(async (event) => {
    const params = approvalParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const body = decisionInputSchema.safeParse(event.jsonBody);
    if (!body.success) throw toValidationError(body.error);
    const { orderId, reasonId } = params.data;
    const result = await decideApproval(deps, orderId, reasonId, body.data);
    return jsonResponse(200, { approval: publicView(result.approval), repeated: result.repeated });
  });
