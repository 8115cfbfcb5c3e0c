// A merchant's webhook on loopback, subscribed to the order bus the way a merchant would be: an
// EventBridge connection + API destination + rule + target, created through the real SDK. Used by the
// integration tests and the e2e benchmark.
import { createServer, type Server } from "node:http";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  type RetryPolicy,
} from "@aws-sdk/client-eventbridge";
import { eventBuses } from "../../app/app-declaration.ts";
import { close, listen } from "../../local/aws-protocol/edge-server.ts";

export interface DeliveredEvent {
  "detail-type": string;
  detail: { orderId: string; eventId: string; sequence: number };
}

export interface WebhookSubscription {
  /** Answer 200 (true) or 503 (false) to deliveries from now on. */
  setHealthy(healthy: boolean): void;
  close(): Promise<void>;
}

export async function subscribeWebhook(options: {
  awsEndpoint: string;
  name: string;
  pattern: Record<string, unknown>;
  onEvent: (event: DeliveredEvent) => void;
  retryPolicy?: RetryPolicy;
}): Promise<WebhookSubscription> {
  let healthy = true;
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (healthy) options.onEvent(JSON.parse(body) as DeliveredEvent);
      res.writeHead(healthy ? 200 : 503).end();
    });
  });
  const port = await listen(server, 0);
  const events = new EventBridgeClient({
    endpoint: options.awsEndpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
  const connection = await events.send(
    new CreateConnectionCommand({
      Name: options.name,
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: "secret" } },
    }),
  );
  const destination = await events.send(
    new CreateApiDestinationCommand({
      Name: options.name,
      ConnectionArn: connection.ConnectionArn,
      InvocationEndpoint: `http://127.0.0.1:${port}/hook`,
      HttpMethod: "POST",
    }),
  );
  const bus = eventBuses.orders.name;
  await events.send(
    new PutRuleCommand({
      Name: options.name,
      EventBusName: bus,
      EventPattern: JSON.stringify(options.pattern),
    }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: options.name,
      EventBusName: bus,
      Targets: [
        {
          Id: "webhook",
          Arn: destination.ApiDestinationArn,
          ...(options.retryPolicy ? { RetryPolicy: options.retryPolicy } : {}),
        },
      ],
    }),
  );
  return {
    setHealthy: (value) => {
      healthy = value;
    },
    close: () => close(server),
  };
}
