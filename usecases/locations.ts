// Fulfillment location configuration: create, replace, disable, read and list. Every write is
// conditional (create: the id is free; replace/disable: the version that was read), and bumps the
// location directory so availability readers reload the list.
import {
  type Location,
  locationCreateSchema,
  locationDisableSchema,
  locationInputSchema,
} from "../domain/inventory/location.ts";
import { NotFoundError } from "../domain/shared/errors.ts";
import { toValidationError } from "../domain/shared/zod-issues.ts";
import type { Clock, InventoryRepository } from "./ports.ts";

export interface LocationDeps {
  inventory: InventoryRepository;
  clock: Clock;
}

export interface LocationFilter {
  kind?: Location["kind"] | undefined;
  network?: string | undefined;
  enabled?: boolean | undefined;
}

export async function createLocation(deps: LocationDeps, body: unknown): Promise<Location> {
  const parsed = locationCreateSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const now = deps.clock.now();
  const location: Location = { ...parsed.data, createdAt: now, updatedAt: now, version: 1 };
  await deps.inventory.createLocation(location);
  return location;
}

/** Replaces the configuration (PUT semantics: omitted optional fields take their defaults). */
export async function updateLocation(
  deps: LocationDeps,
  locationId: string,
  body: unknown,
): Promise<Location> {
  const parsed = locationInputSchema.safeParse(body);
  if (!parsed.success) throw toValidationError(parsed.error);
  const current = await getLocation(deps, locationId);
  // Enabling a location again drops the reason it was disabled for.
  const keepReason = !parsed.data.enabled && current.disabledReason !== undefined;
  const next: Location = {
    ...parsed.data,
    locationId,
    createdAt: current.createdAt,
    updatedAt: deps.clock.now(),
    version: current.version + 1,
    ...(keepReason ? { disabledReason: current.disabledReason } : {}),
  };
  await deps.inventory.replaceLocation(next, current.version);
  return next;
}

/** Takes a location out of routing and channels' availability; its stock stays (operators see it). */
export async function disableLocation(
  deps: LocationDeps,
  locationId: string,
  body: unknown,
): Promise<Location> {
  const parsed = locationDisableSchema.safeParse(body ?? {});
  if (!parsed.success) throw toValidationError(parsed.error);
  const current = await getLocation(deps, locationId);
  if (!current.enabled && current.disabledReason === parsed.data.reason) return current;
  const next: Location = {
    ...current,
    enabled: false,
    ...(parsed.data.reason ? { disabledReason: parsed.data.reason } : {}),
    updatedAt: deps.clock.now(),
    version: current.version + 1,
  };
  await deps.inventory.replaceLocation(next, current.version);
  return next;
}

export async function getLocation(
  deps: Pick<LocationDeps, "inventory">,
  locationId: string,
): Promise<Location> {
  const location = await deps.inventory.getLocation(locationId);
  if (!location) {
    throw new NotFoundError("LOCATION_NOT_FOUND", `location ${locationId} does not exist`, "locationId", {
      locationId,
    });
  }
  return location;
}

export async function listLocations(
  deps: Pick<LocationDeps, "inventory">,
  filter: LocationFilter = {},
): Promise<Location[]> {
  const all = await deps.inventory.listLocations();
  return all
    .filter((l) => filter.kind === undefined || l.kind === filter.kind)
    .filter((l) => filter.network === undefined || l.networks.includes(filter.network))
    .filter((l) => filter.enabled === undefined || l.enabled === filter.enabled)
    .sort((a, b) => a.locationId.localeCompare(b.locationId));
}
