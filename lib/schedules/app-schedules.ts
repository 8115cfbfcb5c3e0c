// Schedules, from the app declaration: one EventBridge schedule rule per declared schedule, targeting its
// function. A missed or failed run is not retried: the next run does the same work (a routing wave takes
// whatever waits), and a retry could overlap it.
import { type CfnRule, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import { Construct } from "constructs";
import { schedules as scheduleDeclarations } from "../../app/app-declaration.ts";
import type { AppFunctions } from "../functions/app-functions.ts";

export class AppSchedules extends Construct {
  constructor(scope: Construct, id: string, props: { functions: AppFunctions }) {
    super(scope, id);
    for (const declaration of scheduleDeclarations) {
      const rule = new Rule(this, declaration.name, {
        ruleName: declaration.name,
        description: declaration.description,
        schedule: Schedule.expression(declaration.expression),
      });
      const fn = props.functions.get(declaration.functionId).fn;
      rule.addTarget(new LambdaFunction(fn, { retryAttempts: 0 }));
      (rule.node.defaultChild as CfnRule).addPropertyOverride("Targets.0.Id", declaration.functionId);
      fn.configureAsyncInvoke({ retryAttempts: 0 });
    }
  }
}
