// POST /routing/waves: run a routing wave now (the schedule runs the same use case).
import middy from "@middy/core";
import { routingWaveRequestSchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { runRoutingWave } from "../../usecases/routing-waves.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(4096, { optional: true }))
  .handler(async (event) => {
    const parsed = routingWaveRequestSchema.safeParse(event.jsonBody ?? {});
    if (!parsed.success) throw toValidationError(parsed.error);
    return jsonResponse(200, await runRoutingWave(deps, parsed.data.limit));
  });
