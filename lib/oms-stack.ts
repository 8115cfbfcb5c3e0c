// The OMS stack: composes the capability constructs, each built from app/app-declaration.ts. It owns the
// order of construction (table and buses before the functions whose environment names them) and the
// state machine ARNs composed from names, which break the function <-> state machine reference cycle.
import { CfnOutput, Stack, type StackProps } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { stateMachines } from "../app/app-declaration.ts";
import { OrderHttpApi } from "./api/http-api.ts";
import { OrderEventBuses, OrderEvents } from "./events/order-events.ts";
import { AppFunctions } from "./functions/app-functions.ts";
import { mapRecord } from "./map-record.ts";
import { DeliveryQueues } from "./queues/delivery-queues.ts";
import { DocumentsBucket } from "./storage/documents-bucket.ts";
import { OrdersTable } from "./storage/orders-table.ts";
import { OrderWorkflows, stateMachineArnFromName } from "./workflows/order-workflows.ts";

export class OmsStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const table = new OrdersTable(this, "Storage");
    const buses = new OrderEventBuses(this, "EventBuses");
    const stateMachineArns = mapRecord(stateMachines, (machine) =>
      stateMachineArnFromName(this, machine.name),
    );

    const queues = new DeliveryQueues(this, "Queues");
    const documents = new DocumentsBucket(this, "Documents");
    const functions = new AppFunctions(this, "Functions", {
      table,
      documents,
      buses: buses.byId,
      stateMachineArns,
      queues,
    });
    new OrderWorkflows(this, "Workflows", { functions });
    new OrderHttpApi(this, "Api", { functions });
    new OrderEvents(this, "Events", { functions, table, buses, queues });

    new CfnOutput(this, "TableName", { value: table.tableName });
    new CfnOutput(this, "OrderEventBusName", { value: buses.byId.orders.eventBusName });
    new CfnOutput(this, "DocumentBucketName", { value: documents.bucketName });
    for (const [machineId, arn] of Object.entries(stateMachineArns)) {
      new CfnOutput(this, `StateMachineArn-${machineId}`, { value: arn });
    }
  }
}
