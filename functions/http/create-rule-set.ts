// POST /routing/rule-sets: a new rule set; its first version is a draft.
import middy from "@middy/core";
import { MAX_ROUTING_BODY_BYTES } from "../../app/app-declaration.ts";
import { createRuleSet } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ROUTING_BODY_BYTES))
  .handler(async (event) => {
    return jsonResponse(201, await createRuleSet(deps, event.jsonBody));
  });
