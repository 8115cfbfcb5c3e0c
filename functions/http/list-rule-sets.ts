// GET /routing/rule-sets: every rule set with its latest and published version.
import middy from "@middy/core";
import { listRuleSets } from "../../usecases/rule-sets.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    return jsonResponse(200, await listRuleSets(deps));
  });
