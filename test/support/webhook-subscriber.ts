// A merchant's webhook on loopback, subscribed to the order bus the way a merchant would be: an
// EventBridge connection + API destination + rule + target, created through the real SDK. Used by the
// integration tests and the e2e benchmark. Below it, a signed-webhook receiver for subscriptions made through
// the OMS subscription API.
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
import { verify } from "../../domain/shared/webhook-signature.ts";
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
  /** The bus the rule is put on (default: the order bus). */
  busName?: string;
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
  const bus = options.busName ?? eventBuses.orders.name;
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

// ---------------------------------------------------------------------------------------------------
// A merchant's signed webhook on loopback, for subscriptions made through the OMS API
// (/merchants/{merchantId}/subscriptions): records every request with its raw body and headers,
// verifies the signature with the secret it is given, and answers as told.

export interface WebhookRequest {
  headers: Record<string, string>;
  rawBody: string;
  event: {
    eventId: string;
    orderId: string;
    sequence: number;
    type: string;
    merchantId: string;
    occurredAt: string;
  };
  receivedAt: number;
  /** verify() with the receiver's secret at the time of receipt. */
  signatureValid: boolean;
  /** What the receiver answered. */
  status: number;
}

export interface WebhookReceiver {
  url: string;
  requests: WebhookRequest[];
  /** Requests answered 2xx (what the receiver acknowledged). */
  acknowledged(): WebhookRequest[];
  setSecret(secret: string): void;
  /** Decides each answer's status; the default answers 200. */
  answerWith(decide: (request: Omit<WebhookRequest, "status">, attemptsOfEvent: number) => number): void;
  /** Waits until `check` holds over the requests (or throws after timeoutMs). */
  waitFor(check: (requests: WebhookRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  let secret = "";
  let decide: (request: Omit<WebhookRequest, "status">, attempts: number) => number = () => 200;
  const requests: WebhookRequest[] = [];
  const attempts = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const rawBody = Buffer.concat(chunks).toString("utf8");
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : String(v)]),
      );
      const event = JSON.parse(rawBody) as WebhookRequest["event"];
      const signatureValid = verify({
        secret,
        timestamp: headers["oms-timestamp"],
        body: rawBody,
        signature: headers["oms-signature"],
      }).valid;
      const count = (attempts.get(event.eventId) ?? 0) + 1;
      attempts.set(event.eventId, count);
      const seen = { headers, rawBody, event, receivedAt: Date.now(), signatureValid };
      const status = decide(seen, count);
      requests.push({ ...seen, status });
      res.writeHead(status).end();
    });
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}/hooks/oms`,
    requests,
    acknowledged: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    setSecret: (value) => {
      secret = value;
    },
    answerWith: (fn) => {
      decide = fn;
    },
    async waitFor(check, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!check(requests)) {
        if (Date.now() > deadline)
          throw new Error(`webhook receiver: condition not met; ${requests.length} requests`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    close: () => close(server),
  };
}
