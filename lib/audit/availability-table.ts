import type { FleetFigures, TaskFigures } from './availability-summary';
import type { Style } from './style';
import { statusColour } from './style';
import { cutTo, pad, safeName, terminalWidth } from './text-width';
import { formatTime } from './time-range';

const NAME_MAX = 40;

/** `0s`, `45s`, `12m 5s`, `3h 12m`, `2d 4h`: the two largest units, rounded down. */
export function formatSpan(seconds: number | null): string {
  if (seconds === null) return '-';
  const s = Math.floor(seconds);
  const units: [number, string][] = [
    [86_400, 'd'],
    [3_600, 'h'],
    [60, 'm'],
    [1, 's'],
  ];
  const i = units.findIndex(([n]) => s >= n);
  if (i < 0) return '0s';
  const [big, bigUnit] = units[i]!;
  const head = `${Math.floor(s / big)}${bigUnit}`;
  const next = units[i + 1];
  const rest = next ? Math.floor((s % big) / next[0]) : 0;
  return next && rest > 0 ? `${head} ${rest}${next[1]}` : head;
}

/** `99.95%`, rounded down (a task that failed at all never shows 100.00%); `-` when it never ran nor failed. */
export function formatAvailability(a: number | null): string {
  if (a === null) return '-';
  return `${(Math.floor(a * 10_000) / 100).toFixed(2)}%`;
}

const COLUMNS = ['INSTANCE', 'TASK', 'AVAILABLE', 'RUNNING', 'FAILING', 'PAUSED', 'UNKNOWN', 'INCIDENTS', 'MTTR', 'LONGEST', 'STATUS'] as const;
const RIGHT = new Set([2, 3, 4, 5, 6, 7, 8, 9]);

export interface TableInput {
  location: string;
  tasks: readonly TaskFigures[];
  fleet: FleetFigures;
  /** `instance prod, task orders` when filtered. */
  scope: string | undefined;
}

/**
 * The table, worst first as given, aligned by terminal width (CJK and emoji names take two columns a character),
 * names with bidi or control characters shown escaped; then the fleet line and the gaps.
 */
export function formatAvailabilityTable(input: TableInput, style: Style): string[] {
  const { fleet } = input;
  const status = (t: TaskFigures) => (t.status === null ? 'gone' : t.status);
  const rows = input.tasks.map((t) => [
    cutTo(safeName(t.instance_name ?? t.instance_id), NAME_MAX),
    cutTo(safeName(t.task_name ?? t.task_id), NAME_MAX),
    formatAvailability(t.availability),
    formatSpan(t.running_s),
    formatSpan(t.failing_s),
    formatSpan(t.paused_s),
    formatSpan(t.unknown_s),
    String(t.incidents),
    formatSpan(t.mttr_s),
    formatSpan(t.longest_s),
    safeName(status(t)),
  ]);
  const widths = COLUMNS.map((h, i) => Math.max(terminalWidth(h), ...rows.map((r) => terminalWidth(r[i]!))));
  const line = (cells: readonly string[], paint: (cell: string, i: number) => string) =>
    cells
      .map((c, i) => paint(i === cells.length - 1 ? c : pad(c, widths[i]!, RIGHT.has(i) ? 'right' : 'left'), i))
      .join('  ')
      .trimEnd();
  const span = `${formatTime(fleet.since)} → ${formatTime(fleet.until)} UTC`;
  const lines = [style.bold(`availability in ${safeName(input.location)}, ${span}${input.scope ? ` (${safeName(input.scope)})` : ''}`), ''];
  lines.push(line(COLUMNS, (c) => style.dim(c)));
  rows.forEach((cells, r) => {
    const t = input.tasks[r]!;
    lines.push(
      line(cells, (c, i) => {
        if (i === 2 && t.failing_s > 0) return style.red(c);
        if (i === 10) return t.status === null ? style.dim(c) : statusColour(style, t.status)(c);
        return c;
      }),
    );
  });
  lines.push('', fleetLine(fleet));
  for (const g of fleet.gaps) {
    const missing = g.missing.map(safeName).join(', ');
    lines.push(style.yellow(`gap: ${formatTime(g.from)} → ${formatTime(g.to)} UTC counted as unknown: history object ${missing} missing or unreadable (run \`smart-connect-watch verify\`)`));
  }
  return lines;
}

export function fleetLine(f: FleetFigures): string {
  const mttr = f.mttr_s === null ? '' : `, MTTR ${formatSpan(f.mttr_s)}`;
  const longest = f.longest_s === null ? '' : `, longest ${formatSpan(f.longest_s)}`;
  const unknown = f.unknown_s > 0 ? `, ${formatSpan(f.unknown_s)} unknown` : '';
  return (
    `fleet: ${formatAvailability(f.availability)} available over ${f.tasks} task${f.tasks === 1 ? '' : 's'} ` +
    `(running ${formatSpan(f.running_s)}, failing ${formatSpan(f.failing_s)}, paused ${formatSpan(f.paused_s)}${unknown}); ` +
    `${f.incidents} incident${f.incidents === 1 ? '' : 's'}${mttr}${longest}; ${f.tasks_never_failing} of ${f.tasks} never failing`
  );
}
