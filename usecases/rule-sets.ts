// Routing rule set configuration through the API: create (draft version 1), read, list, edit a draft,
// add a version, publish. A published version is immutable: editing it is refused with
// RULE_SET_VERSION_PUBLISHED (409); a change is a new version, published when ready.
import {
  assertEditable,
  type RuleSetHead,
  type RuleSetVersion,
  ruleSetCreateSchema,
  ruleSetDefinitionSchema,
} from "../domain/routing/rule-set.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type { Clock, RoutingRepository } from "./ports.ts";

export interface RuleSetDeps {
  routing: RoutingRepository;
  clock: Clock;
}

export interface RuleSetView extends RuleSetHead {
  versions: Pick<RuleSetVersion, "version" | "status" | "createdAt" | "updatedAt" | "publishedAt">[];
}

const notFound = (ruleSetId: string) =>
  new NotFoundError("RULE_SET_NOT_FOUND", `rule set ${ruleSetId} does not exist`, "ruleSetId");

export async function createRuleSet(deps: RuleSetDeps, body: unknown): Promise<RuleSetVersion> {
  const parsed = ruleSetCreateSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const { ruleSetId, ...definition } = parsed.data;
  const now = deps.clock.now();
  const version: RuleSetVersion = {
    ruleSetId,
    version: 1,
    status: "DRAFT",
    definition,
    createdAt: now,
    updatedAt: now,
  };
  await deps.routing.createRuleSet({ ruleSetId, latestVersion: 1, createdAt: now, updatedAt: now }, version);
  return version;
}

export async function listRuleSets(deps: Pick<RuleSetDeps, "routing">): Promise<{ items: RuleSetHead[] }> {
  const items = await deps.routing.listRuleSets();
  items.sort(
    (a, b) =>
      (a.published?.rank ?? Number.POSITIVE_INFINITY) - (b.published?.rank ?? Number.POSITIVE_INFINITY) ||
      a.ruleSetId.localeCompare(b.ruleSetId),
  );
  return { items };
}

export async function getRuleSet(
  deps: Pick<RuleSetDeps, "routing">,
  ruleSetId: string,
): Promise<RuleSetView> {
  const [head, versions] = await Promise.all([
    deps.routing.getRuleSet(ruleSetId),
    deps.routing.listRuleSetVersions(ruleSetId),
  ]);
  if (!head) throw notFound(ruleSetId);
  return {
    ...head,
    versions: versions.map(({ version, status, createdAt, updatedAt, publishedAt }) => ({
      version,
      status,
      createdAt,
      updatedAt,
      ...(publishedAt ? { publishedAt } : {}),
    })),
  };
}

export async function getRuleSetVersion(
  deps: Pick<RuleSetDeps, "routing">,
  ruleSetId: string,
  version: number,
): Promise<RuleSetVersion> {
  const found = await deps.routing.getRuleSetVersion(ruleSetId, version);
  if (!found) {
    if (!(await deps.routing.getRuleSet(ruleSetId))) throw notFound(ruleSetId);
    throw new NotFoundError(
      "RULE_SET_VERSION_NOT_FOUND",
      `rule set ${ruleSetId} has no version ${version}`,
      "version",
    );
  }
  return found;
}

/** PUT a draft's definition (the whole definition; omitted optional fields take their defaults). */
export async function updateDraft(
  deps: RuleSetDeps,
  ruleSetId: string,
  version: number,
  body: unknown,
): Promise<RuleSetVersion> {
  const current = await getRuleSetVersion(deps, ruleSetId, version);
  assertEditable(current);
  const parsed = ruleSetDefinitionSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const next: RuleSetVersion = { ...current, definition: parsed.data, updatedAt: deps.clock.now() };
  await deps.routing.saveDraft(next);
  return next;
}

/** A new draft version: the body's definition, or a copy of the latest version's when the body is empty. */
export async function addVersion(
  deps: RuleSetDeps,
  ruleSetId: string,
  body: unknown,
): Promise<RuleSetVersion> {
  const head = await deps.routing.getRuleSet(ruleSetId);
  if (!head) throw notFound(ruleSetId);
  const empty =
    body === undefined || (typeof body === "object" && body !== null && Object.keys(body).length === 0);
  let definition: RuleSetVersion["definition"];
  if (empty) {
    definition = (await getRuleSetVersion(deps, ruleSetId, head.latestVersion)).definition;
  } else {
    const parsed = ruleSetDefinitionSchema.safeParse(body);
    if (!parsed.success) throw toValidationError(parsed.error);
    definition = parsed.data;
  }
  const now = deps.clock.now();
  const version: RuleSetVersion = {
    ruleSetId,
    version: head.latestVersion + 1,
    status: "DRAFT",
    definition,
    createdAt: now,
    updatedAt: now,
  };
  await deps.routing.addRuleSetVersion(version, head.latestVersion);
  return version;
}

/** Publishes a draft: routing uses it from now on; it never changes again. */
export async function publishVersion(
  deps: RuleSetDeps,
  ruleSetId: string,
  version: number,
): Promise<RuleSetVersion> {
  const current = await getRuleSetVersion(deps, ruleSetId, version);
  assertEditable(current);
  const at = deps.clock.now();
  await deps.routing.publish(current, at);
  return { ...current, status: "PUBLISHED", publishedAt: at, updatedAt: at };
}
