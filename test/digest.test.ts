import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { type ChannelConfig, parseConfig } from '../lib/config/config';
import { DIGEST_MAX_FAILING, type DigestBody, digestBody, digestDue, digestId, localClock } from '../lib/alerting/digest';
import { EXPIRED_MESSAGES, nextRecentCounts, sumRecent } from '../lib/alerting/digest-counts';
import { digestStep } from '../lib/alerting/digest-run';
import { ConfigError } from '../lib/errors';
import { buildDingTalkDigest, buildFeishuDigest, buildSlackDigest, buildTeamsDigest, buildWeComDigest, type DigestMessage } from '../lib/notify/digest-chat';
import { digestPayload } from '../lib/notify/digest-generic';
import { Secret } from '../lib/secret';
import type { InstanceSnapshot } from '../lib/store/snapshot';
import { State } from '../lib/store/state';

const at = (iso: string) => Date.parse(iso);

describe('when a digest is due', () => {
  it.each<[string, string, string, string, string | undefined, string | null]>([
    ['before its time', '2026-12-02T08:59:59Z', 'UTC', '09:00', undefined, null],
    ['at its time', '2026-12-02T09:00:00Z', 'UTC', '09:00', undefined, '2026-12-02'],
    ['a later run the same day, not sent yet', '2026-12-02T17:30:00Z', 'UTC', '09:00', '2026-12-01', '2026-12-02'],
    ['a later run the same day, already sent', '2026-12-02T17:30:00Z', 'UTC', '09:00', '2026-12-02', null],
    ['the next day, before its time: the missed day is not caught up', '2026-12-04T08:00:00Z', 'UTC', '09:00', '2026-12-02', null],
    ['the local day, not the UTC day (Shanghai, UTC+8)', '2026-12-02T01:00:00Z', 'Asia/Shanghai', '09:00', '2026-12-01', '2026-12-02'],
    ['local 08:59 in Shanghai', '2026-12-02T00:59:00Z', 'Asia/Shanghai', '09:00', undefined, null],
    ['a recorded day after today (the time zone changed): not again', '2026-12-02T10:00:00Z', 'UTC', '09:00', '2026-12-03', null],
    ['00:00 is due at the first run of the day', '2026-12-02T00:00:07Z', 'UTC', '00:00', '2026-12-01', '2026-12-02'],
    ['23:59', '2026-12-02T23:59:30Z', 'UTC', '23:59', '2026-12-01', '2026-12-02'],
  ])('%s', (_name, now, timeZone, time, lastDay, expected) => {
    expect(digestDue({ nowMs: at(now), timeZone, at: time, lastDay })).toBe(expected);
  });

  it('a daylight-saving zone: local time, not a fixed offset', () => {
    expect(localClock(at('2026-07-01T13:00:00Z'), 'America/New_York')).toEqual({ day: '2026-07-01', time: '09:00' });
    expect(localClock(at('2026-12-01T14:00:00Z'), 'America/New_York')).toEqual({ day: '2026-12-01', time: '09:00' });
  });

  it('the id depends on the channel and the day only', () => {
    expect(digestId('slack:ops', '2026-12-02')).toBe(digestId('slack:ops', '2026-12-02'));
    expect(new Set([digestId('slack:ops', '2026-12-02'), digestId('slack:ops', '2026-12-03'), digestId('slack:dev', '2026-12-02')]).size).toBe(3);
    expect(digestId('slack:ops', '2026-12-02')).toMatch(/^dig_[0-9a-f]{26}$/);
  });
});

describe('the digest time in WEBHOOKS', () => {
  const base = { WATCH_INSTANCES: 'i-1', WATCH_REGION: 'cn-north-4', WATCH_PROJECT_ID: 'p', OBS_BUCKET: 'b' };
  const problems = (digests: unknown[]) => {
    try {
      parseConfig({ ...base, WEBHOOKS: JSON.stringify(digests.map((digest, i) => ({ type: 'generic', name: `c${i}`, url: 'https://h.example/x', digest }))) });
      return [];
    } catch (err) {
      return (err as ConfigError).problems;
    }
  };
  it.each([['09:00'], ['00:00'], ['23:59']])('%s is accepted', (time) => {
    expect(parseConfig({ ...base, WEBHOOKS: JSON.stringify([{ type: 'slack', url: 'https://h.example/x', digest: time }]) }).channels[0]!.digest).toBe(time);
  });
  it('every bad time is named at once, with the form expected', () => {
    expect(problems(['24:00', '9:00', '09:60', 900, ''])).toEqual([
      'WEBHOOKS[0].digest is not a time from 00:00 to 23:59: expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
      'WEBHOOKS[1].digest is not a time from 00:00 to 23:59: expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
      'WEBHOOKS[2].digest is not a time from 00:00 to 23:59: expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
      'WEBHOOKS[3].digest is a number: expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
      'WEBHOOKS[4].digest is not a time from 00:00 to 23:59: expected the daily digest\'s local time (NOTIFY_TIMEZONE) as "HH:MM", from 00:00 to 23:59, such as "09:00"',
    ]);
  });
});

function instance(id: string, tasks: Record<string, string>, ok = true, name: string | null = id): InstanceSnapshot {
  return {
    instance_id: id, name, region: 'r', project_id: 'p', ok, error: ok ? null : 'HTTP 503', total_number: null, max_tasks: null, quota_tasks: null,
    tasks: Object.entries(tasks).map(([tid, status]) => ({ id: tid, status, task_name: `n-${tid}` })),
  };
}

function channel(key: string, digest: string | undefined, extra: Partial<ChannelConfig> = {}): ChannelConfig {
  return { key, name: key, type: 'generic', url: new Secret('https://h.example/x'), secret: undefined, events: undefined, min_severity: undefined, mention: undefined, digest, ...extra };
}

describe('the run step', () => {
  const NOW = at('2026-12-02T09:03:00Z');
  const snapshot = { id: '20261202T090300000Z', taken_at: '2026-12-02T09:03:00.000Z' };
  const step = (o: Partial<Parameters<typeof digestStep>[0]> = {}) =>
    digestStep({
      channels: [channel('generic:ops', '09:00', { events: ['task_removed'], min_severity: 'critical' }), channel('generic:quiet', undefined), channel('slack:late', '18:00')],
      notify: { lang: 'en', timezone: 'UTC' },
      previous: null,
      instances: [instance('i', { a: 'RUNNING', b: 'FAILED' })],
      changes: [],
      expired: 0,
      outbox: [],
      nowMs: NOW,
      snapshot,
      ...o,
    });

  it('queues one digest for the channel whose time has come, its filters ignored, and records its day', () => {
    const { outbox, record } = step({ previous: { failing_since: { 'i/b': '2026-12-01T09:00:00.000Z' } } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ id: digestId('generic:ops', '2026-12-02'), pending: ['generic:ops'], changes: [], created_at: snapshot.taken_at });
    expect(outbox[0]!.digest).toMatchObject({ day: '2026-12-02', tasks: 2, failing_total: 1, failing: [{ task_id: 'b', since: '2026-12-01T09:00:00.000Z' }] });
    expect(record.digests).toEqual({ 'generic:ops': '2026-12-02' });
    expect(() => State.shape.digests.parse(record.digests)).not.toThrow();
  });

  it('not again the same day; a digest already in the outbox (a crash before the day was recorded) is not doubled', () => {
    const first = step();
    expect(step({ previous: { digests: first.record.digests } }).outbox).toEqual([]);
    expect(step({ outbox: first.outbox }).outbox).toEqual(first.outbox);
  });

  it('no channel with a digest: nothing queued, nothing recorded (state.json as before)', () => {
    expect(step({ channels: [channel('generic:quiet', undefined)] })).toEqual({ outbox: [], record: {} });
  });

  it('a channel no longer configured drops out of the record', () => {
    expect(step({ previous: { digests: { 'generic:gone': '2026-12-01', 'generic:ops': '2026-12-02' } } }).record.digests).toEqual({ 'generic:ops': '2026-12-02' });
  });

  it('the last 24 h of changes by kind, and the pending and expired messages', () => {
    const previous = { recent_changes: { '2026-12-01T08': { status_changed: 9 }, '2026-12-01T10': { status_changed: 2, [EXPIRED_MESSAGES]: 1 } } };
    const pending = { id: 'm', snapshot_id: 's', taken_at: 't', created_at: '2026-12-02T08:00:00.000Z', changes: [], pending: ['generic:ops', 'slack:late'], attempts: 1, last_error: 'x' };
    const own = { ...pending, id: 'this-run', created_at: snapshot.taken_at, pending: ['slack:late'] };
    const { outbox, record } = step({ previous, changes: [{ kind: 'task_added' } as never], outbox: [pending, own] });
    expect(record.recent_changes).toEqual({ '2026-12-01T10': { status_changed: 2, [EXPIRED_MESSAGES]: 1 }, '2026-12-02T09': { task_added: 1 } });
    expect(outbox[2]!.digest).toMatchObject({ changes_24h: { status_changed: 2, task_added: 1 }, messages: { pending: 2, oldest_pending_at: pending.created_at, expired_24h: 1 } });
  });

  it('rolling counts: the current hour and the 23 before it', () => {
    const now = at('2026-12-02T09:59:00Z');
    const counts = nextRecentCounts({ '2026-12-01T09': { a: 1 }, '2026-12-01T10': { a: 2 } }, now, [{ kind: 'status_changed' }], 3);
    expect(sumRecent(counts)).toEqual({ a: 2, status_changed: 1, [EXPIRED_MESSAGES]: 3 });
  });
});

/** A fleet of `n` instances of 18 tasks, some failing. */
function fleet(n: number): DigestMessage {
  const instances = Array.from({ length: n }, (_, k) => instance(`inst-${String(k).padStart(4, '0')}-59f6d088-4a1b-9c3e`, Object.fromEntries(Array.from({ length: 18 }, (_, j) => [`t${j}`, (k * 18 + j) % 61 === 0 ? 'FAILED' : 'RUNNING'])), k % 97 !== 5, `prod-kafka-${k}`));
  const digest = digestBody({ day: '2026-12-02', timeZone: 'UTC', instances, failingSince: {}, changes24h: { status_changed: 40 }, messages: { pending: 0, oldest_pending_at: null, expired_24h: 0 } });
  return { id: 'dig_x', snapshot_id: 's', taken_at: '2026-12-02T09:00:00.000Z', changes: [], digest };
}

describe('a 1000-instance fleet fits in one message on every platform, with exact counts of what is left out', () => {
  const big = fleet(1000);
  const opts = { lang: 'en', timezone: 'UTC' } as const;
  const failingOf = (text: string) => (text.match(/🔴 [^\n]*(FAILED since|unreachable since|FAILED, since|unreachable, since)/g) ?? []).length;
  const instancesOf = (text: string) => text.split('\n').filter((l) => /prod-kafka-\d+\W*: (RUNNING|FAILED) \d|unreachable; last known/.test(l)).length;
  it.each<[string, () => { bytes: number; limit: number; text: string }]>([
    ['feishu', () => { const p = buildFeishuDigest(big, opts); return { bytes: Buffer.byteLength(JSON.stringify(p[0])), limit: 20_000 - 100, text: p[0]!.card.elements.map((e) => String(e.content ?? '')).join('\n') }; }],
    ['dingtalk', () => { const p = buildDingTalkDigest(big, opts); return { bytes: Buffer.byteLength(JSON.stringify(p[0])), limit: 20_000, text: p[0]!.markdown.text.replace(/\n\n/g, '\n') }; }],
    ['wecom', () => { const p = buildWeComDigest(big, opts)[0]!; const c = p.msgtype === 'markdown' ? p.markdown.content : ''; return { bytes: Buffer.byteLength(c), limit: 4096, text: c }; }],
    ['slack', () => { const p = buildSlackDigest(big, opts)[0]!; expect(p.blocks.length).toBeLessThanOrEqual(50); return { bytes: JSON.stringify(p).length, limit: 40_000, text: p.blocks.map((b) => ('text' in b ? b.text.text : b.elements[0]!.text)).join('\n') }; }],
    ['teams', () => { const p = buildTeamsDigest(big, opts)[0]!; return { bytes: Buffer.byteLength(JSON.stringify(p)), limit: 20_000, text: p.attachments[0]!.content.body.map((b) => String(b.text)).join('\n') }; }],
  ])('%s', (_name, build) => {
    const { bytes, limit, text } = build();
    expect(bytes).toBeLessThanOrEqual(limit);
    const d = big.digest;
    const unreachable = d.instances.filter((i) => !i.ok).length;
    expect(text).toContain(`${d.tasks_by_status.RUNNING} of ${d.tasks} tasks running (1000 instances), ${d.failing_total - unreachable} failing, ${unreachable} instances unreachable`);
    const shownFailing = failingOf(text);
    const omitted = /not shown here: (?:(\d+) more failing)?(?:, )?(?:(\d+) more instances \(tasks: ([^)]*)\))?/.exec(text);
    expect(omitted).not.toBeNull();
    expect(shownFailing + Number(omitted![1] ?? 0)).toBe(d.failing_total);
    expect(instancesOf(text) + Number(omitted![2] ?? 0)).toBe(1000);
  });

  it('generic: every instance, the failing list capped with its total, within 256 KiB', () => {
    const body = digestPayload(big);
    expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
    const parsed = JSON.parse(body) as DigestBody & { type: string };
    expect(parsed).toMatchObject({ type: 'smart_connect.digest', id: 'dig_x' });
    expect(parsed.instances).toHaveLength(1000);
    expect(parsed.failing).toHaveLength(Math.min(DIGEST_MAX_FAILING, parsed.failing_total));
  });

  it('a healthy fleet says "All N tasks running"', () => {
    const healthy = digestBody({ day: 'd', timeZone: 'UTC', instances: [instance('i', { a: 'RUNNING', b: 'RUNNING' })], failingSince: {}, changes24h: {}, messages: { pending: 0, oldest_pending_at: null, expired_24h: 0 } });
    const p = buildDingTalkDigest({ id: 'x', snapshot_id: 's', taken_at: '2026-12-02T09:00:00.000Z', changes: [], digest: healthy }, { lang: 'en', timezone: 'UTC' })[0]!;
    expect(p.markdown.text).toContain('🟢 All 2 tasks running (1 instance)');
    expect(p.markdown.text).toContain('Last 24 hours: no changes');
    expect(p.markdown.text).not.toContain('not shown');
  });
});

describe('hostile names in a digest', () => {
  const name = '*dr*[site](http://evil.example/phish)<at id=all></at>`x`';
  const digest = digestBody({ day: 'd', timeZone: 'UTC', instances: [instance('i', { a: 'FAILED' }, true, name)], failingSince: {}, changes24h: {}, messages: { pending: 0, oldest_pending_at: null, expired_24h: 0 } });
  const m: DigestMessage = { id: 'x', snapshot_id: 's', taken_at: '2026-12-02T09:00:00.000Z', changes: [], digest };
  const md = new MarkdownIt();
  it.each<[string, () => string]>([
    ['dingtalk', () => buildDingTalkDigest(m, { lang: 'en', timezone: 'UTC' })[0]!.markdown.text],
    ['teams', () => buildTeamsDigest(m, { lang: 'en', timezone: 'UTC' })[0]!.attachments[0]!.content.body.map((b) => String(b.text)).join('\n\n')],
  ])('%s: markdown-it shows the name as text, no link, no tag', (_name, text) => {
    const html = md.render(text());
    expect(html).not.toContain('<a ');
    expect(html).not.toContain('<at');
    expect(html).not.toContain('<em>dr');
    expect(md.renderInline(text()).replace(/<[^>]+>/g, '')).toContain(md.utils.escapeHtml(name).replace(/`/g, '`'));
  });
});
