// GET /orders?status=&channel=&limit=&cursor=: one page of order summaries.
import middy from "@middy/core";
import { listOrdersQuerySchema } from "../../app/api-schemas.ts";
import { toValidationError } from "../../domain/shared/zod-issues.ts";
import { orderRepository } from "../shared/dependencies.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

const repo = orderRepository();

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async (event) => {
    const query = listOrdersQuerySchema.safeParse(event.queryStringParameters ?? {});
    if (!query.success) throw toValidationError(query.error);
    const { status, channel, limit, cursor } = query.data;
    const page = await repo.listOrders({ status, channelId: channel, limit, cursor });
    return jsonResponse(200, page);
  });
