// `npm start`: the whole OMS on this machine. Prints where everything is; Ctrl-C stops it cleanly (the
// DynamoDB Local JVM included); the next start resumes with every order and execution.
import { resolve } from "node:path";
import { startRuntime } from "./runtime.ts";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const port = (name: string, fallback: number): number => {
  const value = process.env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    console.error(`${name}=${value} is not a port number`);
    process.exit(2);
  }
  return n;
};

const dataDir = resolve(process.env.OMS_DATA_DIR || ".oms");
console.log("starting the OMS on this machine...");
const started = Date.now();
const runtime = await startRuntime({
  dataDir,
  httpPort: port("PORT", 3000),
  awsPort: port("OMS_AWS_PORT", 4566),
  seedDemo: true,
  ...(process.env.OMS_DYNAMODB_ENDPOINT ? { dynamodbEndpoint: process.env.OMS_DYNAMODB_ENDPOINT } : {}),
}).catch((error: unknown) => {
  console.error(`could not start: ${(error as Error).message}`);
  process.exit(1);
});

console.log(`
OMS ready in ${((Date.now() - started) / 1000).toFixed(1)} s
  HTTP API           ${runtime.httpUrl}        (GET /health, POST /orders, GET /openapi.json)
  AWS edge endpoint  ${runtime.awsEndpoint}    (Step Functions, EventBridge, DynamoDB: aws --endpoint-url ${runtime.awsEndpoint} ...)
  DynamoDB Local     ${runtime.dynamodbEndpoint}    table ${runtime.tableName}
  data folder        ${dataDir}

Try:
  curl -X POST ${runtime.httpUrl}/orders -H 'Content-Type: application/json' -H 'Idempotency-Key: k1' -d @examples/orders/home-delivery.json

Ctrl-C stops everything.`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  runtime
    .stop()
    .then(() => {
      console.log("stopped; the data folder keeps every order and execution");
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error((error as Error).message);
      process.exit(1);
    });
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
