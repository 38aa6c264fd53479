import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { type HistoryItem, computeAvailability } from '../lib/audit/availability';
import { fleetFigures, taskFigures, worstFirst } from '../lib/audit/availability-summary';
import { formatAvailability, formatAvailabilityTable, formatSpan } from '../lib/audit/availability-table';
import { createStyle } from '../lib/audit/style';
import { terminalWidth } from '../lib/audit/text-width';

const M = 60_000;

describe('formatting', () => {
  it.each([
    [0, '0s'],
    [0.9, '0s'],
    [45, '45s'],
    [60, '1m'],
    [725, '12m 5s'],
    [3 * 3600 + 12 * 60 + 59, '3h 12m'],
    [2 * 86_400 + 4 * 3600 + 59, '2d 4h'],
    [30 * 86_400, '30d'],
    [null, '-'],
  ])('span %s → %s', (s, text) => expect(formatSpan(s)).toBe(text));

  it.each([
    [1, '100.00%'],
    [0.99999, '99.99%'],
    [0.5, '50.00%'],
    [0, '0.00%'],
    [null, '-'],
  ])('availability %s → %s', (a, text) => expect(formatAvailability(a)).toBe(text));

  it.each(['abc', '订单同步', '🚀x', '👨‍👩‍👧', '❤️', 'e\u0301', 'ｱｲ', '한국어', '⚠️ warn', 'Ω≈'])('width of %j agrees with string-width', (s) => {
    expect(terminalWidth(s)).toBe(stringWidth(s));
  });
});

describe('the table', () => {
  const NAMES = ['订单同步-replicator', '🚀 launch-events', 'invoice-\u202Egnp.exe', 'ｶﾀｶﾅ-sink', '👨‍👩‍👧 family', 'plain', 'bell\u0007\u001b[31mred'];
  const STATUSES = ['FAILED', 'RUNNING', 'PAUSED', 'RUNNING', 'ERROR', 'RUNNING', 'RUNNING'];
  const snap = (id: string, prev: string | null, statuses: string[]) => ({
    id,
    previous: prev ? { id: prev } : null,
    instances: [{ instance_id: 'i-1', name: '生产-kafka', ok: true, tasks: NAMES.map((n, i) => ({ id: `t${i}`, task_name: n, status: statuses[i]! })) }],
  });
  const items: HistoryItem[] = [
    { kind: 'snapshot', at: -10 * M, snapshot: snap('a', null, NAMES.map(() => 'RUNNING')) },
    { kind: 'snapshot', at: 30 * M, snapshot: snap('b', 'a', STATUSES) },
  ];
  const result = computeAvailability(items, 0, 100 * M);
  const tasks = [...result.tasks].sort(worstFirst);
  const lines = formatAvailabilityTable({ location: 'obs://b/p/', tasks: tasks.map(taskFigures), fleet: fleetFigures(result, tasks), scope: undefined }, createStyle(false));
  const table = lines.slice(2, 3 + NAMES.length);

  /** Cells are runs of text separated by two or more spaces; their start and end columns by string-width (the oracle). */
  const cells = (line: string) => [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ text: m[0], start: stringWidth(line.slice(0, m.index)), end: stringWidth(line.slice(0, m.index + m[0].length)) }));

  it('every row lines up with the header, by display width (CJK and emoji take two columns)', () => {
    const head = cells(table[0]!);
    expect(head.map((c) => c.text)).toEqual(['INSTANCE', 'TASK', 'AVAILABLE', 'RUNNING', 'FAILING', 'PAUSED', 'UNKNOWN', 'INCIDENTS', 'MTTR', 'LONGEST', 'STATUS']);
    for (const line of table.slice(1)) {
      const row = cells(line);
      expect(row).toHaveLength(head.length);
      row.forEach((c, i) => {
        if (i <= 1 || i === 10) expect(c.start, `${line} column ${i}`).toBe(head[i]!.start);
        else expect(c.end, `${line} column ${i}`).toBe(head[i]!.end);
      });
    }
  });

  it('worst first, names with bidi and control characters escaped, never raw', () => {
    const text = lines.join('\n');
    expect(text).not.toMatch(/[\u202E\u0007\u001b]/);
    expect(text).toContain('invoice-\\u202Egnp.exe');
    expect(text).toContain('bell\\u0007\\u001B[31mred');
    expect(table.slice(1).map((l) => cells(l)[1]!.text)).toEqual(['订单同步-replicator', '👨\u200D👩\u200D👧 family', 'bell\\u0007\\u001B[31mred', 'invoice-\\u202Egnp.exe', 'plain', '🚀 launch-events', 'ｶﾀｶﾅ-sink']);
    expect(cells(table[1]!).map((c) => c.text)).toEqual(['生产-kafka', '订单同步-replicator', '30.00%', '30m', '1h 10m', '0s', '0s', '1', '-', '1h 10m', 'FAILED']);
  });

  it('ends with the fleet line', () => {
    expect(lines.at(-1)).toBe('fleet: 77.77% available over 7 tasks (running 8h 10m, failing 2h 20m, paused 1h 10m); 2 incidents, longest 1h 10m; 5 of 7 never failing');
  });
});
