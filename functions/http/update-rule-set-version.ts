// PUT /routing/rule-sets/{ruleSetId}/versions/{version}: replace a draft's definition (a published
// version answers 409 RULE_SET_VERSION_PUBLISHED).
import middy from "@middy/core";
import { ruleSetVersionParamsSchema } from "../../app/api-schemas.ts";
import { MAX_ROUTING_BODY_BYTES } from "../../app/app-declaration.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { updateDraft } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ROUTING_BODY_BYTES))
  .handler(async (event) => {
    const parsed = ruleSetVersionParamsSchema.safeParse(event.pathParameters ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    const params = parsed.data;
    return jsonResponse(200, await updateDraft(deps, params.ruleSetId, params.version, event.jsonBody));
  });
