// The local "Lambda service": declared functions by name or ARN, each backed by the same handler module
// that is deployed, loaded once (its module scope is the cold start) and invoked with a Lambda context,
// JSON-serialised input and output and the declared timeout. Faults can be injected per function, for
// tests and demos of retries and redrives; no handler knows about it.
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";
import { type FunctionDeclaration, type FunctionId, functions } from "../../app/app-declaration.ts";
import { functionNameOf, LambdaInvocationError, type LambdaInvoker, lambdaArn } from "./lambda-invoker.ts";

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface Fault {
  /** How many of the next invocations it affects (Infinity = until cleared). */
  times: number;
  /** Wait this long before the invocation runs (or fails): a slow dependency, a crash mid-task. */
  delayMs?: number;
  /** Fail with this error type; without it the invocation only waits, then runs. */
  errorType?: string;
  message?: string;
}

export interface InvocationStats {
  invocations: Record<string, number>;
  /** Summed wall-clock duration per function, ms (the benchmark prices Lambda GB-seconds with it). */
  durationMs: Record<string, number>;
}

export class FunctionRuntime implements LambdaInvoker {
  private readonly loaded = new Map<string, Promise<Handler>>();
  private readonly faults = new Map<string, Fault>();
  readonly stats: InvocationStats = { invocations: {}, durationMs: {} };

  constructor(
    private readonly rootDir: string,
    private readonly declarations: Record<string, FunctionDeclaration> = functions,
  ) {}

  has(nameOrArn: string): boolean {
    return functionNameOf(nameOrArn) in this.declarations;
  }

  arnOf(id: FunctionId): string {
    return lambdaArn(id);
  }

  /** Loads every handler module now, so the first order does not pay the cold starts. */
  async warmUp(): Promise<void> {
    await Promise.all(Object.keys(this.declarations).map((name) => this.load(name)));
  }

  injectFault(id: FunctionId, fault: Fault): void {
    this.faults.set(id, { ...fault });
  }

  clearFaults(): void {
    this.faults.clear();
  }

  async invoke(nameOrArn: string, payload: unknown): Promise<unknown> {
    const name = functionNameOf(nameOrArn);
    const declaration = this.declarations[name];
    if (!declaration) {
      throw new LambdaInvocationError("ResourceNotFoundException", `Function not found: ${nameOrArn}`);
    }
    this.stats.invocations[name] = (this.stats.invocations[name] ?? 0) + 1;
    const fault = this.faults.get(name);
    if (fault && fault.times > 0) {
      fault.times -= 1;
      if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
      if (fault.errorType)
        throw new LambdaInvocationError(fault.errorType, fault.message ?? `injected fault in ${name}`);
    }
    const handler = await this.load(name);
    const deadline = Date.now() + declaration.timeoutSeconds * 1000;
    const context = lambdaContext(name, declaration, deadline);
    const event = JSON.parse(JSON.stringify(payload ?? null));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new LambdaInvocationError(
              "Sandbox.Timedout",
              `Task timed out after ${declaration.timeoutSeconds} seconds`,
            ),
          ),
        declaration.timeoutSeconds * 1000,
      );
    });
    const started = performance.now();
    try {
      const result = await Promise.race([handler(event, context), timeout]);
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      if (error instanceof LambdaInvocationError) throw error;
      const e = error instanceof Error ? error : new Error(String(error));
      throw new LambdaInvocationError(e.name || "Error", e.message);
    } finally {
      clearTimeout(timer);
      this.stats.durationMs[name] = (this.stats.durationMs[name] ?? 0) + (performance.now() - started);
    }
  }

  private load(name: string): Promise<Handler> {
    let handler = this.loaded.get(name);
    if (!handler) {
      const declaration = this.declarations[name];
      if (!declaration) throw new Error(`unknown function ${name}`);
      const url = pathToFileURL(resolve(this.rootDir, declaration.entry)).href;
      handler = import(url).then((module: Record<string, unknown>) => {
        const fn = module[declaration.handler];
        if (typeof fn !== "function")
          throw new Error(`${declaration.entry} exports no ${declaration.handler}`);
        return fn as Handler;
      });
      this.loaded.set(name, handler);
    }
    return handler;
  }
}

function lambdaContext(name: string, declaration: FunctionDeclaration, deadline: number): Context {
  const requestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: "$LATEST",
    invokedFunctionArn: lambdaArn(name),
    memoryLimitInMB: String(declaration.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: `local/${requestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
