// GET /health: ready when the order table answers a read.
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import middy from "@middy/core";
import { UnavailableError } from "../../domain/shared/errors.ts";
import { dynamodb } from "../shared/aws-clients.ts";
import { environment } from "../shared/environment.ts";
import { jsonResponse } from "../shared/http-errors.ts";
import { httpErrors, type JsonEvent } from "../shared/http-middleware.ts";

export const handler = middy<JsonEvent>()
  .use(httpErrors())
  .handler(async () => {
    const table = environment().TABLE_NAME;
    try {
      await dynamodb.send(new DescribeTableCommand({ TableName: table }));
    } catch (error) {
      throw new UnavailableError("TABLE_UNREACHABLE", `table ${table} is not reachable`, { cause: error });
    }
    return jsonResponse(200, { status: "ok", table });
  });
