// The local SQS through the real SDK (AWS JSON 1.0 at the edge): send and receive with the MD5 checks the
// SDK makes, visibility timeouts and ChangeMessageVisibility, batch deletes, receive counts, redrive to
// the dead-letter queue after maxReceiveCount, long polling, queue attributes and errors.
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { close, createEdgeServer, listen } from "../../local/aws-protocol/edge-server.ts";
import { LocalSqs } from "../../local/sqs/sqs-service.ts";

const sqs = new LocalSqs();
const edge = createEdgeServer({ services: [sqs] });
let client: SQSClient;

beforeAll(async () => {
  const port = await listen(edge, 0);
  sqs.setEndpoint(`http://127.0.0.1:${port}`);
  client = new SQSClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
  });
});

afterAll(async () => {
  await sqs.stop();
  await close(edge);
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return String(QueueUrl);
}

const receive = (QueueUrl: string, extra: Record<string, unknown> = {}) =>
  client.send(
    new ReceiveMessageCommand({
      QueueUrl,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ["All"],
      ...extra,
    }),
  );

describe("local SQS", () => {
  it("sends and receives (the SDK checks MD5s), hides received messages, deletes in batches", async () => {
    const url = await queue("basic", { VisibilityTimeout: "30" });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"n":1} ünïcode' }));
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: "a", MessageBody: "two" },
          { Id: "b", MessageBody: "three" },
        ],
      }),
    );
    const first = await receive(url);
    expect(first.Messages?.map((m) => m.Body)).toEqual(['{"n":1} ünïcode', "two", "three"]);
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("1");
    expect((await receive(url)).Messages).toBeUndefined(); // in flight: invisible
    const attributes = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
    );
    expect(attributes.Attributes).toMatchObject({
      ApproximateNumberOfMessages: "0",
      ApproximateNumberOfMessagesNotVisible: "3",
      QueueArn: "arn:aws:sqs:us-east-1:000000000000:basic",
    });
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: (first.Messages ?? []).map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    expect(deleted.Successful).toHaveLength(3);
    expect(sqs.counts("basic")).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it("ChangeMessageVisibility brings a message back when asked, with its receive count", async () => {
    const url = await queue("visibility", { VisibilityTimeout: "60" });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "retry me" }));
    const [message] = (await receive(url)).Messages ?? [];
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message?.ReceiptHandle,
        VisibilityTimeout: 1,
      }),
    );
    expect((await receive(url)).Messages).toBeUndefined();
    const started = Date.now();
    const again = await receive(url, { WaitTimeSeconds: 5 }); // long polling wakes when it is visible
    expect(Date.now() - started).toBeGreaterThanOrEqual(800);
    expect(again.Messages?.[0]?.Body).toBe("retry me");
    expect(again.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe("2");
    // The old receipt handle no longer changes anything.
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message?.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      ),
    ).rejects.toThrow(/not in flight/);
  });

  it("moves a message received more than maxReceiveCount times to the dead-letter queue", async () => {
    const dlqUrl = await queue("work-dlq");
    const url = await queue("work", {
      VisibilityTimeout: "0",
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:work-dlq",
        maxReceiveCount: 2,
      }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    expect((await receive(url)).Messages).toHaveLength(1);
    expect((await receive(url)).Messages).toHaveLength(1);
    expect((await receive(url)).Messages).toBeUndefined(); // the third receive moved it
    const dead = await receive(dlqUrl);
    expect(dead.Messages?.[0]?.Body).toBe("poison");
    expect(dead.Messages?.[0]?.Attributes?.DeadLetterQueueSourceArn).toBe(
      "arn:aws:sqs:us-east-1:000000000000:work",
    );
  });

  it("answers AWS errors: unknown queue, invalid attributes", async () => {
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: "http://127.0.0.1/000000000000/nope", MessageBody: "x" }),
      ),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(queue("bad", { RedrivePolicy: "{}" })).rejects.toThrow(/RedrivePolicy/);
    await expect(queue("basic", { VisibilityTimeout: "5" })).rejects.toThrow(/different value/);
  });
});
