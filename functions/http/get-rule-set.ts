// GET /routing/rule-sets/{ruleSetId}: the rule set and its versions.
import middy from "@middy/core";
import { ruleSetParamsSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { getRuleSet } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const parsed = ruleSetParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await getRuleSet(deps, params.ruleSetId));
  });
