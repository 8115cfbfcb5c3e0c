// POST /routing/simulations: the published cascade and a draft over stored orders, compared; read-only.
import middy from "@middy/core";
import { MAX_ROUTING_BODY_BYTES } from "../../app/app-declaration.ts";
import { runRoutingSimulation } from "../../usecases/routing-simulation.ts";
import { routingDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = routingDeps();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_ROUTING_BODY_BYTES))
  .handler(async (event) => {
    return jsonResponse(200, await runRoutingSimulation(deps, event.jsonBody));
  });
