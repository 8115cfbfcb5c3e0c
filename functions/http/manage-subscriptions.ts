// The merchant subscription routes (/merchants/{merchantId}/subscriptions...): one function, wiring
// only. The path parameters are parsed, the optional JSON body checked, and the route key picks the use
// case. On AWS the routes are IAM-authorized and a merchant's principal may invoke only paths under its
// own /merchants/{merchantId}/ (docs/events.md), so the merchant in the path is the caller's.
import middy from "@middy/core";
import { merchantParamsSchema, subscriptionParamsSchema } from "../../app/api-schemas.ts";
import { MAX_SUBSCRIPTION_BODY_BYTES } from "../../app/app-declaration.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { viewOf } from "../../domain/subscriptions/subscription.ts";
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listDeadLetters,
  listSubscriptions,
  pauseSubscription,
  redeliver,
  redeliverDeadLetters,
  resumeSubscription,
  rotateSecret,
} from "../../usecases/subscriptions.ts";
import { subscriptionDeps } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent, jsonBody } from "../shared/http-middleware.ts";

const deps = subscriptionDeps();
const BASE = "/merchants/{merchantId}/subscriptions";
const ONE = `${BASE}/{subscriptionId}`;

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .use(jsonBody(MAX_SUBSCRIPTION_BODY_BYTES, { optional: true }))
  .handler(async (event) => {
    const route = event.routeKey;
    const body = event.jsonBody;
    if (route === `POST ${BASE}` || route === `GET ${BASE}`) {
      const params = merchantParamsSchema.safeParse(event.pathParameters ?? {});
      if (!params.success) throw toValidationError(params.error);
      const { merchantId } = params.data;
      if (route === `GET ${BASE}`)
        return jsonResponse(200, { items: await listSubscriptions(deps, merchantId) });
      const created = await createSubscription(deps, merchantId, body);
      return jsonResponse(201, created, {
        location: `/merchants/${merchantId}/subscriptions/${created.subscriptionId}`,
      });
    }
    const params = subscriptionParamsSchema.safeParse(event.pathParameters ?? {});
    if (!params.success) throw toValidationError(params.error);
    const { merchantId, subscriptionId } = params.data;
    switch (route) {
      case `GET ${ONE}`:
        return jsonResponse(200, viewOf(await getSubscription(deps, merchantId, subscriptionId)));
      case `DELETE ${ONE}`:
        await deleteSubscription(deps, merchantId, subscriptionId);
        return { statusCode: 204 };
      case `POST ${ONE}/pause`:
        return jsonResponse(200, await pauseSubscription(deps, merchantId, subscriptionId));
      case `POST ${ONE}/resume`:
        return jsonResponse(200, await resumeSubscription(deps, merchantId, subscriptionId, body));
      case `POST ${ONE}/rotate-secret`:
        return jsonResponse(200, await rotateSecret(deps, merchantId, subscriptionId, body));
      case `POST ${ONE}/redeliveries`:
        return jsonResponse(202, await redeliver(deps, merchantId, subscriptionId, body));
      case `GET ${ONE}/dead-letters`:
        return jsonResponse(200, { items: await listDeadLetters(deps, merchantId, subscriptionId) });
      case `POST ${ONE}/dead-letters/redeliver`:
        return jsonResponse(202, await redeliverDeadLetters(deps, merchantId, subscriptionId, body));
      default:
        throw new Error(`manage-subscriptions has no route ${route}`);
    }
  });
