// The demo configuration `npm start` seeds on first start: one merchant's web shop channel, three
// locations and their stock, so the README's sample order goes through. Idempotent: seeding twice
// overwrites the same items.
import { type DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { ENTITY, keys } from "../../adapters/dynamodb/table-design.ts";
import type { Channel, Location } from "../../domain/order/channel.ts";

export const DEMO_CHANNEL: Channel = {
  channelId: "web-de",
  merchantId: "demo-merchant",
  name: "Demo web shop (Germany)",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh-berlin",
  shipToCountries: ["DE", "AT", "NL", "FR"],
  active: true,
};

export const DEMO_LOCATIONS: Location[] = [
  { locationId: "wh-berlin", name: "Berlin warehouse", kind: "WAREHOUSE", country: "DE", active: true },
  { locationId: "store-munich", name: "Munich store", kind: "STORE", country: "DE", active: true },
  {
    locationId: "supplier-hamburg",
    name: "Hamburg drop-shipper",
    kind: "SUPPLIER",
    country: "DE",
    active: true,
  },
];

const DEMO_STOCK: [string, string, number][] = [
  ["wh-berlin", "SKU-TSHIRT-M", 120],
  ["wh-berlin", "SKU-MUG", 40],
  ["store-munich", "SKU-TSHIRT-M", 6],
  ["store-munich", "SKU-MUG", 3],
  ["supplier-hamburg", "SKU-BIKE", 12],
];

export async function seedDemo(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const repo = new OrderRepository(db, tableName);
  await repo.putChannel(DEMO_CHANNEL);
  for (const location of DEMO_LOCATIONS) await repo.putLocation(location);
  for (const [locationId, sku, onHand] of DEMO_STOCK) {
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...keys.stock(locationId, sku), entityType: ENTITY.stock, locationId, sku, onHand },
      }),
    );
  }
}
