import { describe, expect, it } from 'vitest';
import type { Change } from '../lib/alerting/change';
import { CHANNEL_TYPES, type ChannelConfig, type ChannelType } from '../lib/config/config';
import { createNotifier } from '../lib/notify/factory';
import { TEXTS } from '../lib/notify/i18n';
import { formatTime, summarize } from '../lib/notify/summary';
import type { Message } from '../lib/notify/types';
import { Secret } from '../lib/secret';

const TOKEN = 'tok0123456789abcdef0123456789';
const SECRET = 'SEC-signing-secret-0123456789';
const URLS: Record<ChannelType, string> = {
  generic: `https://hooks.example/generic/${TOKEN}`,
  feishu: `https://open.feishu.example/open-apis/bot/v2/hook/${TOKEN}`,
  dingtalk: `https://oapi.dingtalk.example/robot/send?access_token=${TOKEN}`,
  wecom: `https://qyapi.weixin.example/cgi-bin/webhook/send?key=${TOKEN}`,
  slack: `https://hooks.slack.example/services/T0/B0/${TOKEN}`,
  teams: `https://prod.workflows.example/workflows/1/triggers/manual/paths/invoke?sig=${TOKEN}`,
};
const OK_BODY: Record<ChannelType, string> = {
  generic: '', feishu: '{"code":0,"msg":"success"}', dingtalk: '{"errcode":0,"errmsg":"ok"}', wecom: '{"errcode":0,"errmsg":"ok"}', slack: 'ok', teams: '',
};

function channel(type: ChannelType, extra: Partial<ChannelConfig> = {}): ChannelConfig {
  return { key: `${type}:t`, name: `${type}-test`, type, url: new Secret(URLS[type]), secret: undefined, events: undefined, min_severity: undefined, mention: undefined, ...extra };
}

function message(n: number, severity: Change['severity'] = 'critical', id = 'msg_1'): Message {
  const changes: Change[] = Array.from({ length: n }, (_, i) => ({
    id: `c${i}`, kind: 'status_changed', severity, instance_id: 'i1', instance_name: 'prod', task_id: `t${i}`, task_name: `task-${i}`,
    from: 'RUNNING', to: severity === 'warning' ? 'PAUSED' : 'FAILED', fields: null, snapshot_id: 'S1', detected_at: '2026-11-21T07:15:00.123Z',
  }));
  return { id, snapshot_id: 'S1', taken_at: '2026-11-21T07:15:00.123Z', changes, task_types: {} };
}

/** A fetch that records requests and answers from a script (then the platform's success). */
function fakeFetch(type: ChannelType, script: (Response | Error)[] = []) {
  const calls: { url: string; body: string }[] = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), body: String(init?.body) });
    const next = script.shift();
    if (next instanceof Error) throw next;
    return next ?? new Response(OK_BODY[type] || null, { status: type === 'teams' ? 202 : 200 });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

function notifier(type: ChannelType, fetch: typeof globalThis.fetch, extra: Partial<ChannelConfig> = {}, clock = { t: 1_795_331_700_000 }) {
  const sleeps: number[] = [];
  const n = createNotifier(channel(type, extra), {
    fetch, timeoutMs: 1000, now: () => clock.t, render: { lang: 'en', timezone: 'UTC' },
    sleep: async (ms) => void (sleeps.push(ms), (clock.t += ms)),
  });
  return { n, sleeps };
}

describe('the factory', () => {
  it.each(CHANNEL_TYPES.map((t) => [t]))('maps type %s to a notifier that delivers one change', async (type) => {
    const { fetch, calls } = fakeFetch(type);
    const { n } = notifier(type, fetch);
    expect(await n.send(message(1))).toEqual({ status: 'ok' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.url.startsWith(URLS[type])).toBe(true);
  });
});

describe('a chat notifier', () => {
  it('sends a split message in order, and a retry in the same run resumes after the accepted parts', async () => {
    const rate = new Response('{"errcode":45009,"errmsg":"api freq out of limit"}', { status: 200 });
    const { fetch, calls } = fakeFetch('wecom', [new Response(OK_BODY.wecom), rate]);
    const { n } = notifier('wecom', fetch);
    const big = message(150);
    const first = await n.send(big);
    expect(first).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^part 2 of \d+: code 45009/) });
    expect(calls).toHaveLength(2);
    expect(await n.send(big)).toEqual({ status: 'ok' });
    const parts = calls.map((c) => (JSON.parse(c.body) as { markdown: { content: string } }).markdown.content.match(/part (\d+) of (\d+)/)!.slice(1).map(Number));
    const total = parts[0]![1]!;
    expect(parts.map(([i]) => i)).toEqual([1, 2, ...Array.from({ length: total - 1 }, (_, i) => i + 2)]);
  });

  it('sends at most 10 messages to a channel in a run: a message that would pass that waits, whole, for the next run', async () => {
    const { fetch, calls } = fakeFetch('wecom');
    const { n } = notifier('wecom', fetch);
    const outcomes = [];
    for (const id of ['a', 'b', 'c', 'd']) outcomes.push(await n.send(message(400, 'critical', id)));
    const sentBeforeDeferral = calls.length;
    expect(outcomes.slice(0, 2)).toEqual([{ status: 'ok' }, { status: 'ok' }]);
    const deferred = outcomes.find((o) => o.status !== 'ok');
    expect(deferred).toMatchObject({ status: 'deferred', reason: expect.stringContaining('deferred to the next run') });
    expect(sentBeforeDeferral).toBeLessThanOrEqual(10);
    expect(outcomes.slice(outcomes.indexOf(deferred!)).every((o) => o.status === 'deferred')).toBe(true);
  });

  it('keeps to the platform rate: Slack parts at least a second apart', async () => {
    const { fetch, calls } = fakeFetch('slack');
    const { n, sleeps } = notifier('slack', fetch);
    expect(await n.send(message(2000))).toEqual({ status: 'ok' });
    expect(calls.length).toBeGreaterThan(1);
    expect(sleeps).toHaveLength(calls.length - 1);
    for (const ms of sleeps) expect(ms).toBe(1000);
  });

  it.each([
    ['feishu', new Response('{"code":19021,"msg":"sign match fail"}', { status: 200 })],
    ['dingtalk', new Response(`{"errcode":310000,"errmsg":"sign not match, see https://x.example/?access_token=${TOKEN}"}`, { status: 200 })],
    ['slack', new Response(`<html>gateway https://hooks.slack.example/services/T0/B0/${TOKEN}</html>`, { status: 502 })],
    ['teams', new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED', message: `connect ${URLS.teams}` } })],
  ] as const)('%s: a failure says why without the URL, its token or the secret', async (type, answer) => {
    const { fetch } = fakeFetch(type, [answer]);
    const { n } = notifier(type, fetch, { secret: new Secret(SECRET) });
    const outcome = await n.send(message(1));
    expect(outcome.status).not.toBe('ok');
    const text = JSON.stringify(outcome);
    for (const s of [TOKEN, SECRET, URLS[type]]) expect(text).not.toContain(s);
  });
});

describe('mentions: only a critical change calls people', () => {
  it.each([
    ['feishu', ['all'], (b: string) => b.includes('<at id=all></at>')],
    ['dingtalk', ['13800000000'], (b: string) => b.includes('"atMobiles":["13800000000"]') && b.includes('@13800000000')],
    ['wecom', ['zhangsan'], (b: string) => b.includes('"mentioned_list":["zhangsan"]')],
  ] as const)('%s', async (type, mention, called) => {
    for (const [severity, expected] of [['critical', true], ['warning', false]] as const) {
      const { fetch, calls } = fakeFetch(type);
      const { n } = notifier(type, fetch, { mention: [...mention] });
      await n.send(message(2, severity));
      expect(calls.some((c) => called(c.body))).toBe(expected);
    }
  });
});

describe('texts and times', () => {
  it('every text exists in English and Chinese, and the Chinese ones are Chinese', () => {
    const { en, zh } = TEXTS;
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const kind of Object.keys(en.kind) as (keyof typeof en.kind)[]) {
      expect(en.kind[kind]('RUNNING', 'FAILED', 'a.b')).not.toBe('');
      if (kind !== 'status_changed') expect(zh.kind[kind]('RUNNING', 'FAILED', 'a.b')).toMatch(/[\u4e00-\u9fff]/);
    }
    for (const s of Object.keys(en.severity) as (keyof typeof en.severity)[]) expect(zh.severity[s]).toMatch(/^[\u4e00-\u9fff]+$/);
    expect(zh.omitted(3, zh.counts([['critical', 3]]), 'S')).toContain('严重 3');
  });

  it.each([
    ['2026-11-21T07:15:00.123Z', 'UTC', '2026-11-21 07:15:00 UTC'],
    ['2026-11-21T07:15:00.123Z', 'Asia/Shanghai', '2026-11-21 15:15:00 Asia/Shanghai (UTC+8)'],
    ['2026-11-21T23:59:59.999Z', 'Asia/Tokyo', '2026-11-22 08:59:59 Asia/Tokyo (UTC+9)'],
    ['2026-07-01T12:00:00.000Z', 'Europe/Berlin', '2026-07-01 14:00:00 Europe/Berlin (UTC+2)'],
    ['2026-01-01T00:30:00.000Z', 'America/New_York', '2025-12-31 19:30:00 America/New_York (UTC-5)'],
    ['2026-01-01T00:30:00.000Z', 'Europe/London', '2026-01-01 00:30:00 Europe/London (UTC)'],
  ])('%s in %s is %s', (iso, tz, expected) => {
    expect(formatTime(iso, tz)).toBe(expected);
  });

  it('puts the most severe first and names the instances and counts in the title', () => {
    const m = message(3, 'warning');
    m.changes[1] = { ...m.changes[1]!, severity: 'critical', to: 'FAILED' };
    const s = summarize(m, { lang: 'en', timezone: 'UTC' });
    expect(s.title).toBe('Smart Connect · prod: 1 critical, 2 warning');
    expect(s.lines.map((l) => l.subject)).toEqual(['task-1', 'task-0', 'task-2']);
    expect(summarize(m, { lang: 'zh', timezone: 'UTC' }).title).toBe('Smart Connect · prod：严重 1，警告 2');
  });

  it('keeps a hostile name on one line, short, and unable to call anyone', async () => {
    const m = message(1);
    m.changes[0] = { ...m.changes[0]!, task_name: `evil\n<at id=all></at> <@all> ${'x'.repeat(500)}` };
    for (const type of ['feishu', 'dingtalk', 'wecom', 'slack'] as const) {
      const { fetch, calls } = fakeFetch(type);
      await notifier(type, fetch).n.send(m);
      expect(calls[0]!.body).not.toMatch(/<at id=all>|<@all>|evil\\n/);
      expect(calls[0]!.body).toContain('…');
    }
  });
});
