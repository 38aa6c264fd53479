import { describe, expect, it } from 'vitest';
import { type Change, SEVERITIES, type Severity } from '../lib/alerting/change';
import { MAX_PARTS, packParts } from '../lib/notify/chunk';
import { buildDingTalkPayloads } from '../lib/notify/dingtalk';
import { buildFeishuPayloads, feishuBody } from '../lib/notify/feishu';
import { buildSlackPayloads } from '../lib/notify/slack';
import { buildTeamsPayloads } from '../lib/notify/teams';
import type { Message } from '../lib/notify/types';
import { buildWeComPayloads } from '../lib/notify/wecom';

/** A deterministic PRNG (mulberry32), so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('packParts', () => {
  it.each(Array.from({ length: 40 }, (_, seed) => [seed]))('keeps every item, in order, within the budget and the part count (seed %i)', (seed) => {
    const random = rng(seed);
    const items = Array.from({ length: Math.floor(random() * 400) }, () => 1 + Math.floor(random() * 60));
    const budget = 60 + Math.floor(random() * 500);
    const maxParts = 1 + Math.floor(random() * 12);
    const summary = 20; // what a part spends saying how many items it omits
    const size = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
    const parts = packParts(items, (xs, omitted) => size(xs) + (omitted.length > 0 ? summary : 0) <= budget, maxParts);

    expect(parts.length).toBeLessThanOrEqual(maxParts);
    expect(parts.flatMap((p) => [...p.items, ...p.omitted])).toEqual(items);
    for (const [i, p] of parts.entries()) {
      expect(size(p.items) + (p.omitted.length > 0 ? summary : 0)).toBeLessThanOrEqual(budget);
      if (i < parts.length - 1) expect(p.omitted).toEqual([]);
      if (i < parts.length - 1) expect(size([...p.items, parts[i + 1]!.items[0] ?? 0])).toBeGreaterThan(budget); // greedy: full
    }
    if (items.length > 0) expect(parts.length).toBeGreaterThan(0);
  });

  it('omits an item too large for any part, and everything after it, rather than breaking the limit', () => {
    const parts = packParts([1, 2, 500, 3], (xs) => xs.reduce((a, b) => a + b, 0) <= 10, 5);
    expect(parts).toEqual([{ items: [1, 2], omitted: [] }, { items: [], omitted: [500, 3] }]);
  });
});

const KINDS: [Change['kind'], Severity, string | null, string | null][] = [
  ['status_changed', 'critical', 'RUNNING', 'FAILED'],
  ['status_changed', 'warning', 'RUNNING', 'PAUSED'],
  ['status_changed', 'resolved', 'FAILED', 'RUNNING'],
  ['task_added', 'info', null, 'CREATING'],
  ['task_removed', 'warning', 'RUNNING', null],
  ['config_changed', 'info', null, null],
];

function burst(n: number): Message {
  const changes: Change[] = Array.from({ length: n }, (_, i) => {
    const [kind, severity, from, to] = KINDS[i % KINDS.length]!;
    return {
      id: `c${i}`, kind, severity, instance_id: 'inst-bulk', instance_name: 'bulk', task_id: `task-${i}`, task_name: `bulk-dump-${i}`,
      from, to, fields: kind === 'config_changed' ? ['sink_task.flush_size', 'sink_task.obs_path'] : null,
      snapshot_id: '20261121T071500123Z', detected_at: '2026-11-21T07:15:00.123Z',
    };
  });
  const task_types = Object.fromEntries(changes.filter((c) => c.kind !== 'task_removed').map((c) => [c.task_id!, { source_type: 'NONE', sink_type: 'OBS_SINK' }]));
  return { id: 'msg_burst', snapshot_id: '20261121T071500123Z', taken_at: '2026-11-21T07:15:00.123Z', changes, task_types };
}

const SECRET = 'SECfeishu-secret-for-size';
/** Each platform's limit, measured here from the request as it goes out. */
const PLATFORMS: [string, (m: Message, lang: 'en' | 'zh') => unknown[], (p: unknown) => boolean][] = [
  ['feishu', (m, lang) => buildFeishuPayloads(m, { lang, timezone: 'UTC', mention: ['all'] }),
    (p) => Buffer.byteLength(feishuBody(p as never, SECRET, 1_795_331_700_123)) <= 20_000],
  ['dingtalk', (m, lang) => buildDingTalkPayloads(m, { lang, timezone: 'UTC', mention: ['13800000000', 'all'] }),
    (p) => Buffer.byteLength(JSON.stringify(p)) <= 20_000],
  ['wecom', (m, lang) => buildWeComPayloads(m, { lang, timezone: 'UTC', mention: ['zhangsan'] }), (p) => {
    const w = p as { msgtype: string; markdown?: { content: string }; text?: { content: string } };
    return w.msgtype === 'markdown' ? Buffer.byteLength(w.markdown!.content) <= 4096 : Buffer.byteLength(w.text!.content) <= 2048;
  }],
  ['slack', (m, lang) => buildSlackPayloads(m, { lang, timezone: 'UTC' }), (p) => {
    const blocks = (p as { blocks: { type: string; text?: { text: string } }[] }).blocks;
    return blocks.length <= 50 && blocks.every((b) => (b.text?.text.length ?? 0) <= (b.type === 'header' ? 150 : 3000));
  }],
  ['teams', (m, lang) => buildTeamsPayloads(m, { lang, timezone: 'UTC' }), (p) => Buffer.byteLength(JSON.stringify(p)) <= 28 * 1024],
];

/** Task numbers shown, and the omitted note's counts, read back from the payloads' text. */
function readBack(payloads: unknown[], lang: 'en' | 'zh') {
  const text = payloads.map((p) => JSON.stringify(p)).join('\n');
  const shown = [...text.matchAll(/bulk-dump-(\d+)(?!\d)/g)].map((m) => Number(m[1]));
  const note = lang === 'en' ? text.match(/and (\d+) more changes? not shown here \(([^)]*)\)/) : text.match(/另有 (\d+) 项变更未在此显示（([^）]*)）/);
  const counts: Partial<Record<Severity, number>> = {};
  const names: Record<string, Severity> = lang === 'en' ? { critical: 'critical', warning: 'warning', resolved: 'resolved', info: 'info' } : { 严重: 'critical', 警告: 'warning', 已恢复: 'resolved', 信息: 'info' };
  for (const m of (note?.[2] ?? '').matchAll(lang === 'en' ? /(\d+) (\w+)/g : /([\u4e00-\u9fff]+) (\d+)/g)) {
    const [n, name] = lang === 'en' ? [m[1], m[2]] : [m[2], m[1]];
    counts[names[name!]!] = Number(n);
  }
  return { shown, omitted: note ? Number(note[1]) : 0, counts };
}

/** 150 fits every platform whole; 3000 (8000 for Slack's 10 × 40,000 characters) does not fit in 10 messages. */
const CASES = PLATFORMS.flatMap(([name, build, fits]) =>
  [150, name === 'slack' ? 8000 : 3000].flatMap((n) => (['en', 'zh'] as const).map((lang) => [name, n, lang, build, fits] as const)),
);

describe('a burst of changes on every platform', () => {
  it.each(CASES)('%s, %i changes, %s: every message within the limit, at most 10, nothing lost silently', (_name, n, lang, build, fits) => {
    const message = burst(n);
    const payloads = build(message, lang);
    expect(payloads.length).toBeGreaterThan(0);
    expect(payloads.length).toBeLessThanOrEqual(MAX_PARTS);
    for (const p of payloads) expect(fits(p)).toBe(true);

    const { shown, omitted, counts } = readBack(payloads, lang);
    expect(new Set(shown).size).toBe(shown.length); // no change shown twice
    expect(shown.length + omitted).toBe(n);
    const notShown = message.changes.filter((_, i) => !shown.includes(i));
    for (const s of SEVERITIES) expect(counts[s] ?? 0).toBe(notShown.filter((c) => c.severity === s).length);
    if (n === 150) expect(omitted).toBe(0);
    else expect([omitted > 0, payloads.length]).toEqual([true, MAX_PARTS]); // summarises only once all 10 are used
  });
});
