// Every function of the app declaration as an OmsFunction, with the handler environment of the AWS home
// and exactly the access each declaration lists (table read/readWrite, StartExecution, PutEvents).
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import {
  type EventBusId,
  type FunctionDeclaration,
  type FunctionId,
  functions as functionDeclarations,
  handlerEnvironment,
  type StateMachineId,
} from "../../app/app-declaration.ts";
import { mapRecord } from "../map-record.ts";
import type { DeliveryQueues } from "../queues/delivery-queues.ts";
import type { DocumentsBucket } from "../storage/documents-bucket.ts";
import type { OrdersTable } from "../storage/orders-table.ts";
import { OmsFunction } from "./oms-function.ts";

export interface AppFunctionsProps {
  table: OrdersTable;
  documents: DocumentsBucket;
  buses: Record<EventBusId, IEventBus>;
  /** ARNs composed from the state machines' names (no reference to the state machine resources). */
  stateMachineArns: Record<StateMachineId, string>;
  queues: DeliveryQueues;
}

export class AppFunctions extends Construct {
  private readonly byId = new Map<FunctionId, OmsFunction>();

  constructor(scope: Construct, id: string, props: AppFunctionsProps) {
    super(scope, id);
    const environment = handlerEnvironment({
      tableName: props.table.tableName,
      // The handlers publish to the order bus; "default" only carries AWS service events.
      eventBusName: props.buses.orders.eventBusName,
      stateMachineArns: props.stateMachineArns,
      documents: { bucketName: props.documents.bucketName },
      queues: mapRecord(props.queues.byId, (queue) => ({ url: queue.queueUrl, arn: queue.queueArn })),
      subscriptionBusTargetRoleArn: props.queues.busTargetRole.roleArn,
    });

    for (const [functionId, declaration] of Object.entries(functionDeclarations) as [
      FunctionId,
      FunctionDeclaration,
    ][]) {
      const fn = new OmsFunction(this, functionId, { declaration, environment });
      const { access } = declaration;
      if (access.table) fn.bindTable(props.table, access.table);
      fn.bindStartExecution((access.startExecution ?? []).map((machine) => props.stateMachineArns[machine]));
      fn.bindPutEvents((access.putEvents ?? []).map((bus) => props.buses[bus]));
      if (access.documents) fn.bindDocuments(props.documents, access.documents);
      fn.bindSendMessages((access.sendMessages ?? []).map((queue) => props.queues.byId[queue]));
      if (access.manageSubscriptionRules) fn.bindSubscriptionRules(props.queues.busTargetRole);
      this.byId.set(functionId, fn);
    }
  }

  get(functionId: FunctionId): OmsFunction {
    const fn = this.byId.get(functionId);
    if (!fn) throw new Error(`function ${functionId} is not declared in app/app-declaration.ts`);
    return fn;
  }
}
