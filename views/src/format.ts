// How numbers, times and values read in the views: counts as "k/n", shares as percentages, times in
// UTC as the server writes them.

export function ratio(count: number | undefined, of: number | undefined): string {
  if (count === undefined) return "";
  return of === undefined ? String(count) : `${count}/${of}`;
}

export function percent(share: number | undefined): string {
  return share === undefined ? "" : `${Math.round(share * 100)}%`;
}

export function share(count: number, of: number): number | undefined {
  return of > 0 ? count / of : undefined;
}

const ISO = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** "2026-02-16T14:05:00Z" -> "2026-02-16 14:05Z"; anything else is shown as it came. */
export function when(value: string | undefined, dayOnly = false): string {
  if (!value) return "";
  const parsed = Date.parse(value);
  if (!ISO.test(value) || Number.isNaN(parsed)) return value;
  const iso = new Date(parsed).toISOString();
  return dayOnly ? iso.slice(0, 10) : `${iso.slice(0, 10)} ${iso.slice(11, 16)}Z`;
}

export function time(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const parsed = Date.parse(value);
  return Number.isNaN(parsed) ? undefined : parsed;
}

/** A configuration value as text: strings as they are, everything else as JSON. */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined) return "";
  return JSON.stringify(value, null, 2) ?? String(value);
}

export function label(key: string): string {
  return key.replace(/_/g, " ");
}
