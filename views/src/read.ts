// Lenient readers for structured content: fields may be missing, null or of a newer shape, and a
// view shows what is there instead of failing.

export type Obj = Record<string, unknown>;

export function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function obj(value: unknown): Obj {
  return isObj(value) ? value : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function objects(value: unknown): Obj[] {
  return list(value).filter(isObj);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function strings(value: unknown): string[] {
  return list(value).filter((item): item is string => typeof item === "string");
}

/** name -> count maps (counts.outcome, series[].outcomes); other values are left out. */
export function tally(value: unknown): [string, number][] {
  return Object.entries(obj(value)).filter((entry): entry is [string, number] => num(entry[1]) !== undefined);
}
