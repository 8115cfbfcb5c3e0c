// The HTTP API: one route per declared route, each invoking its declared function through a Lambda
// proxy integration (payload v2, the shape the local HTTP server also produces), on a $default stage
// with access logs. Order routes require IAM (SigV4) auth: sales channels sign their requests.
import { CfnOutput, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  type HttpStage,
  LogGroupLogDestination,
} from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { APP_NAME, type RouteDeclaration, routes } from "../../app/app-declaration.ts";
import type { AppFunctions } from "../functions/app-functions.ts";

// One JSON line per request, with what an operator asks first: which route, which signed caller (the
// channel's IAM principal), what status, and why an integration or the authorizer failed.
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: "$context.requestId",
    requestTime: "$context.requestTime",
    routeKey: "$context.routeKey",
    status: "$context.status",
    sourceIp: "$context.identity.sourceIp",
    caller: "$context.identity.userArn",
    responseLength: "$context.responseLength",
    responseLatencyMs: "$context.responseLatency",
    integrationLatencyMs: "$context.integrationLatency",
    integrationError: "$context.integrationErrorMessage",
    error: "$context.error.message",
  }),
);

export const routeKey = (route: Pick<RouteDeclaration, "method" | "path">): string =>
  `${route.method} ${route.path}`;

export interface OrderHttpApiProps {
  functions: AppFunctions;
}

export class OrderHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: OrderHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, "HttpApi", {
      apiName: `${APP_NAME}-api`,
      description: "Order management API: sales channels submit and read orders",
      // The stage is added below with access logging, which the implicit default stage cannot have.
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, "AccessLogs", { retention: RetentionDays.ONE_MONTH });
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });

    const iam = new HttpIamAuthorizer();
    const none = new HttpNoneAuthorizer();
    for (const route of routes) {
      const key = routeKey(route);
      const isPublic = route.auth === "none";
      const handler = props.functions.get(route.functionId).fn;
      const httpRoute = new HttpRoute(this, route.operationId, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        // One integration per route: its invoke permission is scoped to this route's ARN.
        integration: new HttpLambdaIntegration(`${route.operationId}Integration`, handler),
        authorizer: isPublic ? none : iam,
      });
      if (isPublic) {
        Validations.of(httpRoute).acknowledge({
          id: "AwsSolutions-APIG4",
          reason: `${key} is deliberately public: readiness probes and API clients call it before they can sign requests; it returns no order data`,
        });
      }
    }

    new CfnOutput(this, "Url", { value: this.stage.url, description: "Base URL of the order API" });
  }
}
