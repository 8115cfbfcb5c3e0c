#!/usr/bin/env node
// The CDK app entry (cdk.json runs it with tsx): the OMS stack, checked by cdk-nag's AwsSolutions pack.
// An unacknowledged finding fails synthesis; acknowledgements live beside the resource they concern.
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { OmsStack } from "../lib/oms-stack.ts";

const app = new App();
new OmsStack(app, "Oms", {
  description: "Open OMS: serverless order management (API, order workflows, events, order table)",
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
