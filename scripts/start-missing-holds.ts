// npm run holds:backfill — once, right after deploying the switch from the `reservation-hold` state
// machine to stored holds: stores the hold of every order in EXCEPTION or AWAITING_APPROVAL that holds
// stock (usecases/reservations.ts startMissingHolds). Repeating it changes nothing. Reads TABLE_NAME and
// the usual AWS environment (AWS_REGION, credentials, AWS_ENDPOINT_URL_DYNAMODB for the local runtime).
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { z } from "zod";
import { InventoryRepository } from "../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../adapters/dynamodb/order-repository.ts";
import { DynamoDbReservationHolds } from "../adapters/dynamodb/reservation-hold-repository.ts";
import { startMissingHolds } from "../usecases/reservations.ts";

const { TABLE_NAME } = z.object({ TABLE_NAME: z.string().min(1) }).parse(process.env);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const result = await startMissingHolds({
  repo: new OrderRepository(db, TABLE_NAME),
  inventory: new InventoryRepository(db, TABLE_NAME),
  holds: new DynamoDbReservationHolds(db, TABLE_NAME),
});
console.log(JSON.stringify(result));
