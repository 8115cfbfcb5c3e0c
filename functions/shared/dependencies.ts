// The use cases' dependencies as handlers build them: real adapters over the module-scope clients.
import { OrderRepository } from "../../adapters/dynamodb/order-repository.ts";
import { StepFunctionsWorkflowStarter } from "../../adapters/workflow/step-functions-starter.ts";
import { systemClock, systemIds } from "../../usecases/system-ports.ts";
import { dynamodb, stepFunctions } from "./aws-clients.ts";
import { environment } from "./environment.ts";

export function orderRepository(): OrderRepository {
  return new OrderRepository(dynamodb, environment().TABLE_NAME);
}

export function useCaseDeps() {
  const env = environment();
  return {
    repo: orderRepository(),
    workflows: new StepFunctionsWorkflowStarter(stepFunctions, {
      HOME_DELIVERY: env.STATE_MACHINE_ARN_HOME_DELIVERY,
    }),
    clock: systemClock,
    ids: systemIds,
  };
}
