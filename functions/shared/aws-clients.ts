// SDK clients, built once per process (cold start) and shared by every handler module. Endpoints come
// from the standard AWS_ENDPOINT_URL_* variables, so the same code talks to AWS or to the local services.
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export const dynamodb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const stepFunctions = new SFNClient({});
export const eventBridge = new EventBridgeClient({});
export const sqs = new SQSClient({});
