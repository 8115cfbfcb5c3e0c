// POST /routing/rule-sets/{ruleSetId}/versions: a new draft (the body's definition, or {} for a copy of
// the latest version).
import middy from "@middy/core";
import { ruleSetParamsSchema } from "../../app/api-schemas.ts";
import { MAX_ROUTING_BODY_BYTES } from "../../app/app-declaration.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { addVersion } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ROUTING_BODY_BYTES, { optional: true }))
  .handler(async (event) => {
    const parsed = ruleSetParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(201, await addVersion(deps, params.ruleSetId, event.jsonBody));
  });
