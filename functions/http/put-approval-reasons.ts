// PUT /channels/{channelId}/approval-reasons: replace a channel's approval reasons (validated whole).
import middy from "@middy/core";
import { channelParamsSchema } from "../../app/api-schemas.ts";
import { MAX_APPROVAL_BODY_BYTES } from "../../app/app-declaration.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { putApprovalReasons } from "../../usecases/approvals.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = approvalDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_APPROVAL_BODY_BYTES))
  .handler(async (event) => {
    const params = channelParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    return jsonResponse(200, await putApprovalReasons(deps, params.data.channelId, event.jsonBody));
  });
