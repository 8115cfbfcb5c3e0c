// A Standard execution's ARN from its state machine's ARN and its name (orders name their execution after
// the order id), the way Step Functions forms it.
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
}
