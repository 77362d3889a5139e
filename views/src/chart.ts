// The period's series as an SVG chart drawn by hand: stacked bars of outcomes or end reasons per
// bucket, rates, or latency lines, with configuration changes (dashed, C1...) and change points
// (solid, P1...) marked at their time. Colours come with words: a legend names every series and
// the markers are listed in text beside the chart.

import { el, replace, svg, uid } from "./dom";
import { label, share, time, when } from "./format";
import type { Obj } from "./read";
import { num, obj, tally } from "./read";

export interface Marker {
  at: number;
  kind: "config" | "change";
  tag: string; // C1, P1: the same tag names the marker in the list below the chart
  text: string;
}

interface Bucket {
  start: number;
  end: number;
  raw: Obj;
}

type Mode = "outcomes" | "end_reasons" | "rates" | "latency";

const MODE_NAMES: Record<Mode, string> = {
  outcomes: "Outcomes",
  end_reasons: "End reasons",
  rates: "Rates",
  latency: "Latency",
};
const MAX_STACKS = 6; // more keys than this are summed as "other"
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
// Shares plotted in "rates": [name, count field, of field].
const RATES: [string, string, string][] = [
  ["reached a person", "reached_person", "calls"],
  ["voicemail", "voicemail", "attempts"],
  ["tool errors", "tool_errors", "tool_results"],
];
const LATENCY_ORDER = ["llm_ttft_p50_ms", "llm_ttft_p95_ms", "tts_ttfb_p50_ms", "tts_ttfb_p95_ms"];

function buckets(series: Obj[], period: Obj): Bucket[] {
  const starts = series.map((row) => ({ start: time(row.start), raw: row }));
  const known = starts.filter((row): row is { start: number; raw: Obj } => row.start !== undefined);
  known.sort((a, b) => a.start - b.start);
  const step = period.bucket === "hour" ? HOUR : DAY;
  return known.map((row, index) => ({
    start: row.start,
    end: index + 1 < known.length ? known[index + 1].start : row.start + step,
    raw: row.raw,
  }));
}

function latencyKeys(rows: Bucket[]): string[] {
  const found = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row.raw)) if (key.endsWith("_ms")) found.add(key);
  const ordered = LATENCY_ORDER.filter((key) => found.has(key));
  return [...ordered, ...[...found].filter((key) => !ordered.includes(key)).sort()];
}

function modes(rows: Bucket[]): Mode[] {
  const has = (field: string): boolean => rows.some((row) => tally(row.raw[field]).length > 0);
  const found: Mode[] = [];
  if (has("outcomes")) found.push("outcomes");
  if (has("end_reasons")) found.push("end_reasons");
  if (rows.some((row) => RATES.some(([, count, of]) => num(row.raw[count]) !== undefined && num(row.raw[of]))))
    found.push("rates");
  if (latencyKeys(rows).length) found.push("latency");
  return found;
}

/** The stacked keys of a mode: the largest first, the rest summed as "other". */
function stackKeys(rows: Bucket[], field: string): { keys: string[]; other: boolean } {
  const totals = new Map<string, number>();
  for (const row of rows) for (const [key, value] of tally(row.raw[field])) totals.set(key, (totals.get(key) ?? 0) + value);
  const sorted = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([key]) => key);
  return sorted.length > MAX_STACKS
    ? { keys: sorted.slice(0, MAX_STACKS - 1), other: true }
    : { keys: sorted, other: false };
}

interface Series {
  name: string;
  values: (number | undefined)[];
}

function stacked(rows: Bucket[], field: string): Series[] {
  const { keys, other } = stackKeys(rows, field);
  const series: Series[] = keys.map((key) => ({
    name: key,
    values: rows.map((row) => num(obj(row.raw[field])[key]) ?? 0),
  }));
  if (other) {
    series.push({
      name: "other",
      values: rows.map((row) =>
        tally(row.raw[field])
          .filter(([key]) => !keys.includes(key))
          .reduce((sum, [, value]) => sum + value, 0),
      ),
    });
  }
  return series;
}

function lines(rows: Bucket[], mode: Mode): Series[] {
  if (mode === "latency") {
    return latencyKeys(rows).map((key) => ({ name: key, values: rows.map((row) => num(row.raw[key])) }));
  }
  return RATES.filter(([, count]) => rows.some((row) => num(row.raw[count]) !== undefined)).map(([name, count, of]) => ({
    name: `${name} (share of ${of.replace("_", " ")})`,
    values: rows.map((row) => {
      const k = num(row.raw[count]);
      const n = num(row.raw[of]);
      return k === undefined || n === undefined ? undefined : share(k, n);
    }),
  }));
}

function tickLabel(at: number, hourly: boolean): string {
  const iso = new Date(at).toISOString();
  return hourly ? `${iso.slice(5, 10)} ${iso.slice(11, 13)}h` : iso.slice(5, 10);
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

/** The row of each marker's tag: the first row where it does not overlap a tag already placed. */
function tagRows(markers: Marker[], x0: number, x1: number, plotWidth: number): number[] {
  const scale = plotWidth / Math.max(1, x1 - x0);
  const ends: number[] = []; // per row, the x where its last tag ends
  return markers.map((marker) => {
    const start = (marker.at - x0) * scale;
    let row = ends.findIndex((end) => start > end + 4);
    if (row === -1) row = ends.length;
    ends[row] = start + 7 * marker.tag.length;
    return row;
  });
}

function draw(rows: Bucket[], mode: Mode, allMarkers: Marker[], width: number, hourly: boolean): SVGSVGElement {
  const x0 = rows[0].start;
  const x1 = rows[rows.length - 1].end;
  // Only what falls within the series is drawn; the list beside the chart names every change.
  const markers = allMarkers.filter((m) => m.at >= x0 && m.at <= x1).sort((a, b) => a.at - b.at);
  // Marker tags that would overlap go one row down: a prompt edit and the shift it caused are
  // often minutes apart.
  const rowsOf = tagRows(markers, x0, x1, width - 70);
  const tagRowsUsed = Math.max(1, ...rowsOf.map((row) => row + 1));
  const height = (width < 480 ? 180 : 220) + (tagRowsUsed - 1) * 11;
  const right = 12;
  const top = 12 + tagRowsUsed * 11;
  const bottom = 26;
  const bars = mode === "outcomes" || mode === "end_reasons";
  const series = bars ? stacked(rows, mode) : lines(rows, mode);
  const totals = rows.map((_, index) => series.reduce((sum, s) => sum + (s.values[index] ?? 0), 0));
  const peak = bars ? Math.max(...totals) : Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const yMax = mode === "rates" ? 1 : niceMax(peak);
  const y = (value: number): number => top + (1 - value / yMax) * (height - top - bottom);
  const unit = mode === "latency" ? " ms" : "";
  const yText = (value: number): string => (mode === "rates" ? `${Math.round(value * 100)}%` : `${value}${unit}`);
  const left = 10 + 6.5 * Math.max(...[0, yMax / 2, yMax].map((value) => yText(value).length));
  const x = (at: number): number => left + ((at - x0) / Math.max(1, x1 - x0)) * (width - left - right);

  const parts: SVGElement[] = [];
  for (const value of [0, yMax / 2, yMax]) {
    parts.push(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(value), y2: y(value) }));
    parts.push(svg("text", { class: "axis", x: left - 4, y: y(value) + 4, "text-anchor": "end" }, yText(value)));
  }
  const ticks = Math.max(2, Math.min(rows.length, Math.floor((width - left - right) / 70)));
  const every = Math.ceil(rows.length / ticks);
  rows.forEach((row, index) => {
    if (index % every !== 0) return;
    parts.push(svg("text", { class: "axis", x: x(row.start), y: height - 8, "text-anchor": "start" }, tickLabel(row.start, hourly)));
  });

  if (bars) {
    rows.forEach((row, index) => {
      const gap = Math.min(3, (x(row.end) - x(row.start)) * 0.15);
      const barX = x(row.start) + gap / 2;
      const barWidth = Math.max(1, x(row.end) - x(row.start) - gap);
      let base = 0;
      series.forEach((s, position) => {
        const value = s.values[index] ?? 0;
        if (!value) return;
        const rect = svg(
          "rect",
          { class: `s${position}`, x: barX, width: barWidth, y: y(base + value), height: y(base) - y(base + value) },
          svg("title", null, `${when(new Date(row.start).toISOString(), !hourly)}: ${label(s.name)} ${value}`),
        );
        parts.push(rect);
        base += value;
      });
    });
  } else {
    series.forEach((s, position) => {
      let run: string[] = [];
      const flush = (): void => {
        if (run.length > 1) parts.push(svg("polyline", { class: `line s${position}`, points: run.join(" ") }));
        run = [];
      };
      rows.forEach((row, index) => {
        const value = s.values[index];
        if (value === undefined) {
          flush();
          return;
        }
        const cx = (x(row.start) + x(row.end)) / 2;
        run.push(`${cx.toFixed(1)},${y(value).toFixed(1)}`);
        parts.push(
          svg(
            "circle",
            { class: `dot s${position}`, cx, cy: y(value), r: 2.5 },
            svg("title", null, `${when(new Date(row.start).toISOString(), !hourly)}: ${label(s.name)} ${yText(value)}`),
          ),
        );
      });
      flush();
    });
  }

  markers.forEach((marker, index) => {
    const at = x(marker.at);
    parts.push(
      svg(
        "g",
        { class: "marker-group" },
        svg("title", null, marker.text),
        svg("line", { class: `marker ${marker.kind}`, x1: at, x2: at, y1: top - 4, y2: height - bottom }),
        svg("text", { class: `marker-tag ${marker.kind}`, x: at + 2, y: 10 + rowsOf[index] * 11 }, marker.tag),
      ),
    );
  });

  const titleId = uid("chart-title");
  return svg(
    "svg",
    {
      class: "chart",
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-labelledby": titleId,
    },
    svg(
      "title",
      { id: titleId },
      `${MODE_NAMES[mode]} per ${hourly ? "hour" : "day"}, ${tickLabel(rows[0].start, hourly)} to ${tickLabel(rows[rows.length - 1].start, hourly)}` +
        (markers.length ? `; marked: ${markers.map((m) => m.tag).join(", ")}` : ""),
    ),
    parts,
  );
}

function legend(rows: Bucket[], mode: Mode): HTMLElement {
  const bars = mode === "outcomes" || mode === "end_reasons";
  const series = bars ? stacked(rows, mode) : lines(rows, mode);
  return el(
    "ul",
    { class: "legend" },
    series.map((s, position) => {
      const total = s.values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
      return el(
        "li",
        null,
        el("span", { class: `swatch s${position}`, "aria-hidden": "true" }),
        label(s.name),
        bars ? el("span", { class: "muted" }, ` ${total}`) : null,
      );
    }),
  );
}

function table(rows: Bucket[], hourly: boolean): HTMLElement {
  const keys = latencyKeys(rows).slice(0, 2);
  const joined = (value: unknown): string =>
    tally(value)
      .map(([key, count]) => `${key} ${count}`)
      .join(", ");
  return el(
    "div",
    { class: "scroll" },
    el(
      "table",
      { class: "series" },
      el(
        "thead",
        null,
        el(
          "tr",
          null,
          ["start", "calls", "attempts", "reached a person", "voicemail", "tool errors", "outcomes", "end reasons", ...keys].map((h) =>
            el("th", { scope: "col" }, label(h)),
          ),
        ),
      ),
      el(
        "tbody",
        null,
        rows.map((row) => {
          const cell = (key: string): string => String(num(row.raw[key]) ?? "");
          const toolErrors = num(row.raw.tool_errors);
          return el(
            "tr",
            null,
            el("th", { scope: "row" }, when(new Date(row.start).toISOString(), !hourly)),
            el("td", null, cell("calls")),
            el("td", null, cell("attempts")),
            el("td", null, cell("reached_person")),
            el("td", null, cell("voicemail")),
            el("td", null, toolErrors === undefined ? "" : `${toolErrors}/${num(row.raw.tool_results) ?? "?"}`),
            el("td", null, joined(row.raw.outcomes)),
            el("td", null, joined(row.raw.end_reasons)),
            keys.map((key) => el("td", null, cell(key))),
          );
        }),
      ),
    ),
  );
}

/** The chart block, or null when the series has no bucket with a time. */
export function seriesChart(series: Obj[], period: Obj, markers: Marker[]): HTMLElement | null {
  const rows = buckets(series, period);
  if (!rows.length) return null;
  const hourly = period.bucket === "hour";
  const available = modes(rows);
  if (!available.length) return table(rows, hourly);
  let mode: Mode = available[0];
  const plot = el("div", { class: "plot" });
  const key = el("div", { class: "legend-box" });
  const buttons = available.map((choice) =>
    el(
      "button",
      {
        type: "button",
        class: "mode",
        "aria-pressed": String(choice === mode),
        "data-mode": choice,
        click: () => {
          mode = choice;
          for (const button of buttons) button.setAttribute("aria-pressed", String(button.dataset.mode === mode));
          render(true);
        },
      },
      MODE_NAMES[choice],
    ),
  );
  let drawnWidth = 0;
  const render = (force = false): void => {
    const width = Math.max(280, Math.floor(plot.clientWidth || 600));
    if (!force && width === drawnWidth) return;
    drawnWidth = width;
    replace(plot, draw(rows, mode, markers, width, hourly));
    replace(key, legend(rows, mode));
  };
  const block = el(
    "div",
    { class: "chart-block" },
    el("div", { class: "modes", role: "group", "aria-label": "What the chart shows" }, buttons),
    plot,
    key,
    el("details", null, el("summary", null, `The series as a table (${rows.length} ${hourly ? "hours" : "days"})`), table(rows, hourly)),
  );
  // Drawn at the width it gets once in the page, and again whenever that width changes.
  new ResizeObserver(() => render()).observe(plot);
  return block;
}
