// The use cases' dependencies as handlers build them: real adapters over the module-scope clients.
import { InventoryRepository } from "../../adapters/dynamodb/inventory-repository.ts";
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { RoutingRepository } from "../../adapters/dynamodb/routing-repository.ts";
import { StepFunctionsHoldTimer } from "../../adapters/workflow/reservation-hold-timer.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
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

/** Rule sets, capacity, traces and routing tasks; routing serves rule sets from memory like channels. */
export function routingRepository(): RoutingRepository {
  const env = environment();
  return new RoutingRepository(dynamodb, env.TABLE_NAME, { ruleSetCacheMs: env.CONFIG_CACHE_SECONDS * 1000 });
}

export function useCaseDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    routing: routingRepository(),
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

/** What the routing API needs: rule sets, tasks (which reserve stock and resume orders), traces. */
export function routingDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    inventory: inventoryRepository(),
    routing: routingRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    clock: systemClock,
    ids: systemIds,
  };
}
