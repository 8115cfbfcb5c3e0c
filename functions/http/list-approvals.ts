// GET /approvals?status=REQUESTED|ESCALATED: operators' work list of open approvals, soonest due first.
import middy from "@middy/core";
import { listApprovalsQuerySchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { approvalDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const { approvals } = approvalDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = listApprovalsQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    const { status, limit, cursor } = query.data;
    return jsonResponse(200, await approvals.listOpenApprovals(status, limit, cursor));
  });
