// GET /channels/{channelId}/approval-reasons: a channel's approval reasons.
import middy from "@middy/core";
import { channelParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getApprovalReasons } from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = approvalDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const params = channelParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, await getApprovalReasons(deps, params.data.channelId));
  });
