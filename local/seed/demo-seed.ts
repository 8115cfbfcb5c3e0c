// The demo configuration `npm start` seeds on first start: one merchant's web shop channel (and a second
// merchant's shop, for tenant isolation), three
// locations (warehouse, store, drop-shipper) and their stock, so the README's sample order goes through
// (it is reserved at the Berlin warehouse), two routing rule sets for the channel, and its approval
// reasons (invoice orders only, so the sample order needs no one's approval). Stock is written
// as a stock update batch, like a WMS would.
// Idempotent: seeding twice writes the same configuration and replays the same stock update.
import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import { ApprovalRepository } from "../../adapters/dynamodb/approval-repository.ts";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { RoutingRepository } from "../../adapters/dynamodb/routing-repository.ts";
import { keys } from "../../adapters/dynamodb/table-design.ts";
import type { ApprovalReasonsInput } from "../../domain/approval/approval-reasons.ts";
import type { LocationInput } from "../../domain/inventory/location.ts";
import type { Channel } from "../../domain/order/channel.ts";
import { ConflictError } from "../../domain/shared/errors.ts";
import { putApprovalReasons } from "../../usecases/approvals.ts";
import { createLocation } from "../../usecases/locations.ts";
import { createRuleSet, publishVersion } from "../../usecases/rule-sets.ts";
import { applyStockUpdate } from "../../usecases/stock-updates.ts";
import { systemClock } from "../../usecases/system-ports.ts";

export const DEMO_CHANNEL: Channel = {
  channelId: "web-de",
  merchantId: "demo-merchant",
  name: "Demo web shop (Germany)",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh-berlin",
  shipToCountries: ["DE", "AT", "NL", "FR"],
  active: true,
  // Sees the warehouse and the German store network; backorders what none of them has, so the demo and
  // the e2e benchmark keep reaching SUBMITTED after the seeded stock is sold.
  inventory: {
    locationIds: ["supplier-hamburg"],
    networks: ["de-stores"],
    whenOutOfStock: "BACKORDER",
    reservationHoldMinutes: 60,
  },
};

/**
 * A second merchant's channel: merchant event subscriptions are scoped per merchant, and the tests show
 * that one merchant never receives the other's events. Shares the demo locations.
 */
export const OTHER_DEMO_CHANNEL: Channel = {
  channelId: "shop-other",
  merchantId: "other-merchant",
  name: "Another merchant's shop",
  orderTypes: ["HOME_DELIVERY"],
  defaultLocationId: "wh-berlin",
  shipToCountries: ["DE", "AT"],
  active: true,
  inventory: { locationIds: [], networks: [], whenOutOfStock: "BACKORDER", reservationHoldMinutes: 60 },
};

export const DEMO_LOCATIONS: (LocationInput & { locationId: string })[] = [
  {
    locationId: "wh-berlin",
    name: "Berlin warehouse",
    kind: "WAREHOUSE",
    address: { line1: "Lager 1", postalCode: "10115", city: "Berlin", country: "DE" },
    coordinates: { lat: 52.532, lon: 13.384 },
    fulfillmentKinds: ["SHIP", "SHIP_TO_STORE"],
    capacity: { perDay: 5000, unit: "ORDERS" },
    cutOffTime: "17:00",
    timeZone: "Europe/Berlin",
    priority: 10,
    networks: ["de-warehouses"],
    shippingCost: { currency: "EUR", perParcel: 4.9, perUnit: 0.2, perKm: 0 },
    purchasePrices: { "SKU-TSHIRT-M": 6.4, "SKU-MUG": 3.1 },
  },
  {
    locationId: "store-munich",
    name: "Munich store",
    kind: "STORE",
    address: { line1: "Marienplatz 1", postalCode: "80331", city: "Muenchen", country: "DE" },
    coordinates: { lat: 48.137, lon: 11.575 },
    fulfillmentKinds: ["SHIP", "PICKUP"],
    capacity: { perDay: 80, unit: "ORDERS" },
    cutOffTime: "15:00",
    timeZone: "Europe/Berlin",
    workingDays: [1, 2, 3, 4, 5, 6],
    priority: 50,
    networks: ["de-stores"],
    // The store's till system polls for its parts and answers (simulated: local/location-simulator.ts).
    submission: {
      channel: "PULL",
      acknowledgement: "EXPLICIT",
      answerWithinMinutes: 30,
      onOverdue: "ESCALATE",
    },
  },
  {
    locationId: "supplier-hamburg",
    name: "Hamburg drop-shipper",
    kind: "SUPPLIER",
    address: { postalCode: "20095", city: "Hamburg", country: "DE" },
    coordinates: { lat: 53.551, lon: 9.993 },
    fulfillmentKinds: ["SHIP"],
    cutOffTime: "12:00",
    timeZone: "Europe/Berlin",
    priority: 80,
    leadTimeDays: 2,
    purchasePrices: { "SKU-BIKE": 410 },
    // The drop-shipper's portal polls and answers (simulated); unanswered after an hour: re-allocated.
    submission: {
      channel: "PULL",
      acknowledgement: "EXPLICIT",
      answerWithinMinutes: 60,
      onOverdue: "REALLOCATE",
    },
  },
];

/**
 * Demo locations whose systems are simulated by `npm start` (they accept every part submitted to them).
 * The Berlin warehouse needs none: its WMS takes the part as an EventBridge event (accepted as dispatched).
 */
export const SIMULATED_LOCATIONS = ["store-munich", "supplier-hamburg"] as const;

const DEMO_STOCK: [string, string, number][] = [
  ["wh-berlin", "SKU-TSHIRT-M", 120],
  ["wh-berlin", "SKU-MUG", 40],
  ["store-munich", "SKU-TSHIRT-M", 6],
  ["store-munich", "SKU-MUG", 3],
  ["supplier-hamburg", "SKU-BIKE", 12],
];

/**
 * Routing for the demo channel (DOSE): express orders (tag "express") from warehouses within 600 km that
 * deliver in 2 days; everything else fewest parcels, then shipping cost and location priority, at most 2
 * parcels, stores keeping their last 2 units of a SKU. Both are scoped to web-de: orders of other
 * channels go to the built-in default.
 */
export const DEMO_RULE_SETS = [
  {
    ruleSetId: "web-de-express",
    name: "Express: warehouses nearby, delivery within 2 days",
    rank: 10,
    conditions: {
      all: [
        { fact: "order.channel", op: "eq", value: "web-de" },
        { fact: "order.tags", op: "contains", value: "express" },
      ],
    },
    filters: { kinds: ["WAREHOUSE"], maxDistanceKm: 600 },
    criteria: { parcel: 10, distance: 0.02, shippingCost: 1, priority: 0.1 },
    maxSplit: 1,
    deliveryPromise: { withinDays: 2 },
  },
  {
    ruleSetId: "web-de-standard",
    name: "Standard: fewest parcels, then cost and priority",
    rank: 20,
    conditions: { fact: "order.channel", op: "eq", value: "web-de" },
    filters: { keepUnits: { kinds: ["STORE"], units: 2 } },
    criteria: { parcel: 10, distance: 0.01, shippingCost: 1, priority: 1 },
    maxSplit: 2,
    splitPositions: true,
  },
] as const;

/**
 * Approval for the demo channel: payment on invoice is credit risk, so an invoice order over 1,000 asks
 * the credit desk first (rank 1), and one that ships elsewhere than its billing address asks the fraud
 * desk (rank 2, after the credit desk approved, when both apply). Neither catches the README's sample
 * order (credit card, no billing address). Past its timeout a reason escalates to an operator task.
 */
export const DEMO_APPROVAL_REASONS = {
  reasons: [
    {
      reasonId: "invoice-over-1000",
      description: "Payment on invoice over 1,000: credit check",
      rank: 1,
      condition: {
        all: [
          { fact: "order.paymentMethod", op: "eq", value: "INVOICE" },
          { fact: "order.totalValue", op: "gt", value: 1000 },
        ],
      },
      timeoutSeconds: 4 * 3600,
      onTimeout: "ESCALATE",
    },
    {
      reasonId: "invoice-new-address",
      description: "Payment on invoice to a new delivery address: fraud check",
      rank: 2,
      condition: {
        all: [
          { fact: "order.paymentMethod", op: "eq", value: "INVOICE" },
          { fact: "order.newDeliveryAddress", op: "eq", value: true },
        ],
      },
      timeoutSeconds: 24 * 3600,
      onTimeout: "ESCALATE",
    },
  ],
} as const satisfies ApprovalReasonsInput;

/** True when this data folder holds the current demo configuration (locations of the inventory model). */
export async function isDemoSeeded(db: DynamoDBDocumentClient, tableName: string): Promise<boolean> {
  const res = await db.send(new GetCommand({ TableName: tableName, Key: keys.locationDirectory() }));
  return res.Item !== undefined;
}

export async function seedDemo(db: DynamoDBDocumentClient, tableName: string): Promise<void> {
  const repo = new OrderRepository(db, tableName);
  const deps = { inventory: new InventoryRepository(db, tableName), clock: systemClock };
  await repo.putChannel(DEMO_CHANNEL);
  await repo.putChannel(OTHER_DEMO_CHANNEL);
  for (const location of DEMO_LOCATIONS) {
    try {
      await createLocation(deps, location);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  const routing = { routing: new RoutingRepository(db, tableName), clock: systemClock };
  const existing = (error: unknown) => {
    if (!(error instanceof ConflictError)) throw error;
  };
  for (const ruleSet of DEMO_RULE_SETS) {
    await createRuleSet(routing, ruleSet).catch(existing);
    await publishVersion(routing, ruleSet.ruleSetId, 1).catch(existing);
  }
  // Only where the channel has none yet: an operator's own reasons are kept.
  const approvals = { repo, approvals: new ApprovalRepository(db, tableName), clock: systemClock };
  if (!(await approvals.approvals.getApprovalConfig(DEMO_CHANNEL.channelId))) {
    await putApprovalReasons(approvals, DEMO_CHANNEL.channelId, DEMO_APPROVAL_REASONS);
  }
  await applyStockUpdate(deps, {
    updateId: "demo-seed-1",
    type: "SNAPSHOT",
    asOf: "2026-01-01T00:00:00.000Z",
    lines: DEMO_STOCK.map(([locationId, sku, onHand]) => ({ locationId, sku, onHand, lowStockThreshold: 2 })),
  });
}
