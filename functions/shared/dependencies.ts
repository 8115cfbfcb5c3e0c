// The use cases' dependencies as handlers build them: real adapters over the module-scope clients.
import { ApprovalRepository } from "../../adapters/dynamodb/approval-repository.ts";
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { StepFunctionsApprovalWorkflow } from "../../adapters/workflow/approval-workflows.ts";
import { StepFunctionsHoldTimer } from "../../adapters/workflow/reservation-hold-timer.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import { StepFunctionsTaskCallbacks } from "../../adapters/workflow/task-callbacks.ts";
import { systemClock, systemIds } from "../../usecases/system-ports.ts";
import { dynamodb, stepFunctions } from "./aws-clients.ts";
import { environment } from "./environment.ts";

export function orderRepository(): OrderRepository {
  const env = environment();
  return new OrderRepository(dynamodb, env.TABLE_NAME, { channelCacheMs: env.CONFIG_CACHE_SECONDS * 1000 });
}

export function inventoryRepository(): InventoryRepository {
  return new InventoryRepository(dynamodb, environment().TABLE_NAME);
}

export function useCaseDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    holds: new StepFunctionsHoldTimer(stepFunctions, env.STATE_MACHINE_ARN_RESERVATION_HOLD),
    clock: systemClock,
    ids: systemIds,
  };
}

/** What the inventory handlers need: the channel reader, the inventory repository and the clock. */
export function inventoryDeps() {
  return { repo: orderRepository(), inventory: inventoryRepository(), clock: systemClock };
}

/** What the approval use cases need: storage, the approval workflow, task callbacks, resume, hold timer. */
export function approvalDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    approvals: new ApprovalRepository(dynamodb, env.TABLE_NAME),
    inventory: inventoryRepository(),
    clock: systemClock,
    ids: systemIds,
    callbacks: new StepFunctionsTaskCallbacks(stepFunctions),
    approvalWorkflow: new StepFunctionsApprovalWorkflow(stepFunctions, env.STATE_MACHINE_ARN_ORDER_APPROVAL),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    holds: new StepFunctionsHoldTimer(stepFunctions, env.STATE_MACHINE_ARN_RESERVATION_HOLD),
  };
}
