// The scale rows of `npm run bench`: a Markdown table (wall, objects/s, CPU, peak RSS, and the
// per-object slopes between the smallest and largest run) and an SVG chart of throughput and
// peak RSS against the object count, one line per tool and operation.

export interface ScaleSample {
  operation: string;
  tool: "azcp" | "azcopy";
  count: number;
  wall: number;
  cpu: number;
  rssMb: number;
  ok: boolean;
}

const TOOL_NAME = { azcp: "azcp", azcopy: "AzCopy" } as const;

function groups(samples: ScaleSample[]): Map<string, ScaleSample[]> {
  const byLine = new Map<string, ScaleSample[]>();
  for (const sample of samples) {
    const key = `${sample.operation}\u0000${sample.tool}`;
    byLine.set(
      key,
      [...(byLine.get(key) ?? []), sample].sort((a, b) => a.count - b.count),
    );
  }
  return byLine;
}

/** CPU microseconds and bytes of peak RSS each further object costs, from the smallest to the largest run. */
function slope(line: ScaleSample[]): { cpuMicros: number; bytes: number } | undefined {
  const first = line[0];
  const last = line.at(-1);
  if (!first || !last || last.count === first.count) return undefined;
  const objects = last.count - first.count;
  return {
    cpuMicros: ((last.cpu - first.cpu) * 1e6) / objects,
    bytes: ((last.rssMb - first.rssMb) * 2 ** 20) / objects,
  };
}

export function scaleTable(samples: ScaleSample[]): string[] {
  const lines = [
    "## Scale: millions of objects",
    "",
    "A synthetic Blob server (`test/support/synthetic-blob-server.ts`) serves N objects made from their index, so the client is what is measured; each operation plans everything and transfers nothing. Medians of 3 runs at 100,000 objects (one run for `--list-of-files`), one run at larger N. The slopes are per further object between the smallest and the largest N: client CPU in µs and peak RSS in bytes.",
    "",
    "| operation | tool | objects | wall s | objects/s | client CPU s | peak RSS MB | azcp ÷ AzCopy (wall) |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const sample of samples) {
    const azcopy = samples.find(
      (other) =>
        other.tool === "azcopy" && other.operation === sample.operation && other.count === sample.count,
    );
    const ratio = sample.tool === "azcp" && azcopy ? (sample.wall / azcopy.wall).toFixed(2) : "";
    lines.push(
      `| ${sample.operation} | ${TOOL_NAME[sample.tool]}${sample.ok ? "" : " (FAILED)"} | ${sample.count.toLocaleString("en-US")} | ${sample.wall.toFixed(2)} | ${Math.round(sample.count / sample.wall).toLocaleString("en-US")} | ${sample.cpu.toFixed(2)} | ${sample.rssMb.toFixed(0)} | ${ratio} |`,
    );
  }
  lines.push("", "| operation | tool | CPU µs per object | peak RSS bytes per object |", "|---|---|---|---|");
  for (const line of groups(samples).values()) {
    const per = slope(line);
    if (!per) continue;
    lines.push(
      `| ${line[0]!.operation} | ${TOOL_NAME[line[0]!.tool]} | ${per.cpuMicros.toFixed(1)} | ${per.bytes.toFixed(1)} |`,
    );
  }
  lines.push("", "![Throughput and peak RSS against object count](scale.svg)");
  return lines;
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"];

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Two panels (objects/s, peak RSS MB) over log-scaled object counts; azcp solid, AzCopy dashed. */
export function scaleChart(samples: ScaleSample[]): string {
  const width = 980;
  const panel = { width: 400, height: 260, top: 40, left: [70, 560] };
  const counts = [...new Set(samples.map((s) => s.count))].sort((a, b) => a - b);
  const operations = [...new Set(samples.map((s) => s.operation))];
  const logMin = Math.log10(counts[0]!);
  const logMax = Math.log10(counts.at(-1)!);
  const x = (left: number, count: number) =>
    left +
    (logMax === logMin ? panel.width / 2 : ((Math.log10(count) - logMin) / (logMax - logMin)) * panel.width);
  const metrics = [
    { title: "objects per second", value: (s: ScaleSample) => s.count / s.wall },
    { title: "peak RSS (MB)", value: (s: ScaleSample) => s.rssMb },
  ];
  const parts: string[] = [];
  metrics.forEach((metric, index) => {
    const left = panel.left[index]!;
    const top = Math.max(...samples.map(metric.value)) * 1.1;
    const y = (value: number) => panel.top + panel.height - (value / top) * panel.height;
    parts.push(
      `<text x="${left + panel.width / 2}" y="24" text-anchor="middle" font-size="14">${metric.title}</text>`,
      `<line x1="${left}" y1="${panel.top + panel.height}" x2="${left + panel.width}" y2="${panel.top + panel.height}" stroke="#333"/>`,
      `<line x1="${left}" y1="${panel.top}" x2="${left}" y2="${panel.top + panel.height}" stroke="#333"/>`,
    );
    for (let tick = 0; tick <= 4; tick++) {
      const value = (top * tick) / 4;
      parts.push(
        `<text x="${left - 6}" y="${y(value) + 4}" text-anchor="end" font-size="10">${Math.round(value).toLocaleString("en-US")}</text>`,
      );
    }
    for (const count of counts)
      parts.push(
        `<text x="${x(left, count)}" y="${panel.top + panel.height + 16}" text-anchor="middle" font-size="10">${count.toLocaleString("en-US")}</text>`,
      );
    for (const line of groups(samples).values()) {
      const color = COLORS[operations.indexOf(line[0]!.operation) % COLORS.length];
      const dash = line[0]!.tool === "azcopy" ? ' stroke-dasharray="6 4"' : "";
      const points = line
        .map((s) => `${x(left, s.count).toFixed(1)},${y(metric.value(s)).toFixed(1)}`)
        .join(" ");
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points}"/>`);
      for (const s of line)
        parts.push(
          `<circle cx="${x(left, s.count).toFixed(1)}" cy="${y(metric.value(s)).toFixed(1)}" r="3" fill="${color}"/>`,
        );
    }
  });
  const legendTop = panel.top + panel.height + 40;
  operations.forEach((operation, index) => {
    const yLine = legendTop + index * 18;
    parts.push(
      `<line x1="70" y1="${yLine}" x2="100" y2="${yLine}" stroke="${COLORS[index % COLORS.length]}" stroke-width="2"/>`,
      `<text x="108" y="${yLine + 4}" font-size="11">${escapeXml(operation)}</text>`,
    );
  });
  parts.push(
    `<text x="560" y="${legendTop + 4}" font-size="11">solid: azcp · dashed: AzCopy · object count on a log scale</text>`,
  );
  const height = legendTop + operations.length * 18 + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<title>Objects per second and peak RSS against object count, azcp and AzCopy</title>\n<rect width="100%" height="100%" fill="white"/>\n${parts.join("\n")}\n</svg>\n`;
}
