// Starts one in-memory Amazon DynamoDB Local for the whole test run; tests read its endpoint with
// inject("dynamodbEndpoint") and create their own uniquely named tables, so files can run in parallel.
import type { TestProject } from "vitest/node";
import { type DynamoDbLocalHandle, startDynamoDbLocal } from "../../local/dynamodb/dynamodb-local.ts";

let handle: DynamoDbLocalHandle | undefined;

export async function setup(project: TestProject): Promise<void> {
  handle = await startDynamoDbLocal({});
  project.provide("dynamodbEndpoint", handle.endpoint);
}

export async function teardown(): Promise<void> {
  await handle?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamodbEndpoint: string;
  }
}
