// GET /routing/rule-sets/{ruleSetId}/versions/{version}.
import middy from "@middy/core";
import { ruleSetVersionParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getRuleSetVersion } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const parsed = ruleSetVersionParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await getRuleSetVersion(deps, params.ruleSetId, params.version));
  });
