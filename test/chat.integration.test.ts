import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_PLATFORMS, type ChatPlatformName, type ChatReceiver, chatFailure, startChatReceiver } from '../lib/demo/chat-receiver';
import { State } from '../lib/store/state';
import { markupTexts, readSlack, renderMarkdown } from './support/chat-text';
import { type Harness, type Invocation, type TaskRecord, fixtureTasks, generatedTasks, startHarness } from './support/harness';

const PROD = 'inst-prod-0001';
const BULK = 'inst-bulk-0002';
const STATE_KEY = 'smart-connect-watch/state.json';

/**
 * Every chat platform through the built handler: the DMS emulator, s3rver and one loopback receiver
 * per platform that answers like it (codes in 200s, 429 with Retry-After, size limits, signatures).
 */
describe('chat channels through the built handler', () => {
  let h: Harness;
  let prod: TaskRecord[];
  let bulk: TaskRecord[];
  const rx = {} as Record<ChatPlatformName | 'oncall', ChatReceiver>;
  const secrets = { feishu: `fs${randomBytes(12).toString('hex')}`, dingtalk: `SEC${randomBytes(24).toString('hex')}`, oncall: `oc${randomBytes(12).toString('hex')}` };
  const outputs: { name: string; text: string }[] = [];

  type Channel = { type: string; name: string; url: string; secret?: string; mention?: string[]; events?: string[]; min_severity?: string };
  const channels = (): Channel[] => [
    { type: 'feishu', name: 'ops-feishu', url: rx.feishu.url, secret: secrets.feishu, mention: ['all'] },
    { type: 'dingtalk', name: 'ops-dingtalk', url: rx.dingtalk.url, secret: secrets.dingtalk, mention: ['13800000000'] },
    { type: 'wecom', name: 'ops-wecom', url: rx.wecom.url, mention: ['zhangsan'] },
    { type: 'slack', name: 'ops-slack', url: rx.slack.url },
    { type: 'teams', name: 'ops-teams', url: rx.teams.url },
    // Per-channel filters: only critical status changes reach the on-call group.
    { type: 'feishu', name: 'oncall', url: rx.oncall.url, secret: secrets.oncall, events: ['status_changed'], min_severity: 'critical' },
  ];
  const run = async (name: string, extra: Record<string, string | undefined> = {}, webhooks: Channel[] = channels()): Promise<Invocation> => {
    h.dms.setInstance(PROD, prod);
    h.dms.setInstance(BULK, bulk);
    const inv = await h.invoke({ WEBHOOKS: JSON.stringify(webhooks), ...extra });
    outputs.push({ name, text: [inv.stdout, inv.stderr, inv.error?.stack ?? '', JSON.stringify(inv.report ?? null)].join('\n') });
    expect(inv.error).toBeUndefined();
    return inv;
  };
  const setStatus = (name: string, status: string) => {
    const task = [...prod, ...bulk].find((t) => t.task_name === name);
    if (!task) throw new Error(`no task ${name}`);
    task.status = status;
  };
  const reset = () => Object.values(rx).forEach((r) => r.reset());
  const bodyOf = (r: ChatReceiver) => r.received.map((q) => q.body).join('\n');
  const pendingChannels = async () => State.parse(JSON.parse((await h.getObject(STATE_KEY))!)).outbox.flatMap((e) => e.pending).sort();

  beforeAll(async () => {
    h = await startHarness({ channel: false });
    for (const p of CHAT_PLATFORMS) rx[p] = await startChatReceiver(p, p === 'feishu' || p === 'dingtalk' ? { secret: secrets[p] } : {});
    rx.oncall = await startChatReceiver('feishu', { secret: secrets.oncall });
    prod = fixtureTasks();
    bulk = generatedTasks(150);
  });
  afterAll(async () => {
    await Promise.all(Object.values(rx).map((r) => r.close()));
    await h?.close();
  });

  it('baseline: records the tasks and sends nothing', async () => {
    const { report } = await run('baseline');
    expect(report).toMatchObject({ first_run: true, tasks: 153 });
    for (const r of Object.values(rx)) expect(r.received).toHaveLength(0);
  });

  it('a failed task reaches every platform, signed where the platform signs, and calls the configured people', async () => {
    setStatus('smart-connect-121248117', 'FAILED');
    const { report } = await run('critical change');
    expect(report).toMatchObject({ changes: 1, messages: { delivered: 6, pending: 0 } });
    for (const r of Object.values(rx)) {
      expect(r.received.length).toBeGreaterThan(0);
      for (const q of r.received) expect([q.refused, q.accepted]).toEqual([null, true]);
      expect(bodyOf(r)).toContain('smart-connect-121248117');
      if (r !== rx.wecom) expect(bodyOf(r)).toContain('RUNNING → FAILED');
    }
    for (const r of [rx.feishu, rx.dingtalk, rx.oncall]) expect(r.received.map((q) => q.signature)).toEqual(['valid']);
    expect(rx.feishu.received[0]!.json).toMatchObject({ msg_type: 'interactive', timestamp: expect.stringMatching(/^\d{10}$/) });
    expect(rx.dingtalk.received[0]!.query).toMatchObject({ timestamp: expect.stringMatching(/^\d{13}$/), sign: expect.any(String) });
    expect(bodyOf(rx.feishu)).toContain('<at id=all></at>');
    expect(rx.dingtalk.received[0]!.json).toMatchObject({ msgtype: 'markdown', at: { atMobiles: ['13800000000'], isAtAll: false } });
    expect(rx.wecom.received.map((q) => (q.json as { msgtype: string }).msgtype)).toEqual(['markdown', 'text']);
    expect(rx.wecom.received[1]!.json).toMatchObject({ text: { mentioned_list: ['zhangsan'] } });
    expect(bodyOf(rx.slack)).toContain('REDIS_REPLICATOR_SOURCE');
    reset();
  });

  it('a rejection in an HTTP 200 (error code) keeps the message in the outbox; the next run delivers it', async () => {
    rx.dingtalk.respondWith(chatFailure('dingtalk', 'bad_signature'));
    rx.feishu.respondWith(...Array.from({ length: 3 }, () => chatFailure('feishu', 'rate_limit')));
    setStatus('smart-connect-1', 'PAUSED');
    const first = await run('rejected');
    expect(first.report).toMatchObject({ messages: { delivered: 3, pending: 2 } }); // message × channel
    expect(first.report!.errors.join('\n')).toMatch(/ops-dingtalk: code 310000.*ops-feishu: code 11232|ops-feishu: code 11232[\s\S]*ops-dingtalk: code 310000/);
    expect([rx.dingtalk.received.length, rx.feishu.received.length]).toEqual([1, 3]); // permanent: once; retryable: retried
    expect(rx.oncall.received).toHaveLength(0); // a warning: filtered out of the on-call channel
    expect(await pendingChannels()).toEqual(['dingtalk:ops-dingtalk', 'feishu:ops-feishu']);
    const rejected = rx.dingtalk.received[0]!.json as { markdown: unknown };
    reset();

    const second = await run('redelivered');
    expect(second.report).toMatchObject({ changes: 0, messages: { delivered: 2, pending: 0 } });
    expect(rx.dingtalk.received.map((q) => [q.signature, q.accepted])).toEqual([['valid', true]]);
    expect((rx.dingtalk.received[0]!.json as { markdown: unknown }).markdown).toEqual(rejected.markdown);
    expect(rx.feishu.received.map((q) => q.accepted)).toEqual([true]);
    expect(await pendingChannels()).toEqual([]);
    reset();
  });

  it('429 with Retry-After is honoured and retried within the run', async () => {
    rx.slack.respondWith(chatFailure('slack', 'rate_limit', 1));
    rx.teams.respondWith(chatFailure('teams', 'rate_limit', 0));
    setStatus('smart-connect-1', 'RUNNING');
    const { report } = await run('429');
    expect(report).toMatchObject({ messages: { delivered: 5, pending: 0 } });
    expect(rx.slack.received.map((q) => q.status)).toEqual([429, 200]);
    expect(rx.slack.received[1]!.at - rx.slack.received[0]!.at).toBeGreaterThanOrEqual(950);
    expect(rx.teams.received.map((q) => q.status)).toEqual([429, 202]);
    reset();
  });

  it('a hostile task name reaches every platform as literal text and calls nobody', async () => {
    const name = '*b*[link](http://e.example/p) <at id=all></at>[new](http://e.example/n) <!channel> <@zhangsan> @all inv-\u202Egnp.exe';
    const shown = '*b*[link](http://e.example/p) <at id=all></at>[new](http://e.example/n) <!channel> <@zhangsan> @all inv-\\u202Egnp.exe';
    expect([...shown].length).toBeLessThan(120); // shown whole, not clipped
    const task = prod.find((t) => t.task_name === 'smart-connect-1')!;
    task.task_name = name;
    task.status = 'FAILED';
    const { report } = await run('hostile name');
    expect(report).toMatchObject({ messages: { delivered: 6, pending: 0 } });
    for (const [channel, r] of Object.entries(rx)) {
      expect(r.received.length, channel).toBeGreaterThan(0);
      for (const q of r.received) expect([q.refused, q.accepted], channel).toEqual([null, true]);
      const markup = r.received.flatMap((q) => markupTexts(r.platform, q.json));
      if (r.platform === 'slack') {
        const read = markup.map(readSlack);
        expect(read.flatMap((x) => x.controls), channel).toEqual([]);
        expect(read.map((x) => x.text).join('\n'), channel).toContain(shown);
        continue;
      }
      // The configured mention (ops-feishu: <at id=all></at>) is the only tag in the markdown.
      const own = channel === 'feishu' ? ['<at id=all></at>'] : [];
      expect(markup.join('\n').match(/(?<![\\;])<at\b[^>]*>(?:<\/at>)?/g) ?? [], channel).toEqual(own);
      const rendered = markup.map((t) => renderMarkdown(own.reduce((x, o) => x.replace(o, ''), t)));
      expect(rendered.flatMap((x) => x.foreignTags), channel).toEqual([]);
      expect(rendered.flatMap((x) => x.disguisedLinks), channel).toEqual([]);
      expect(rendered.map((x) => x.text).join('\n'), channel).toContain(shown);
    }
    expect(bodyOf(rx.wecom)).not.toContain('<@');
    expect(rx.wecom.received.at(-1)!.json).toMatchObject({ msgtype: 'text', text: { mentioned_list: ['zhangsan'] } });
    expect(rx.dingtalk.received[0]!.json).toMatchObject({ at: { atMobiles: ['13800000000'], isAtAll: false } });
    reset();
  });

  it('a burst of 150 failed tasks reaches every platform within its limits, in Chinese, with nothing lost', async () => {
    for (const t of bulk) t.status = 'FAILED';
    const { report } = await run('burst', { NOTIFY_LANG: 'zh', NOTIFY_TIMEZONE: 'Asia/Shanghai' });
    expect(report).toMatchObject({ changes: 150, messages: { delivered: 6, pending: 0 } });
    for (const [name, r] of Object.entries(rx)) {
      expect(r.received.length, name).toBeLessThanOrEqual(10);
      for (const q of r.received) expect([q.refused, q.accepted], name).toEqual([null, true]);
      const shown = new Set([...bodyOf(r).matchAll(/bulk-dump-(\d+)(?!\d)/g)].map((m) => m[1]));
      expect(shown.size, name).toBe(150);
      expect(bodyOf(r), name).toContain('严重 150');
    }
    expect(rx.wecom.received.length).toBeGreaterThan(2); // 4 KB of markdown a message: split
    reset();
  });

  it('wrong signing secrets and an unreachable robot fail loudly, keep the message, and print no secret', async () => {
    setStatus('smart-connect-1571576841', 'PAUSED');
    const wrong = channels().map((c) => (c.secret ? { ...c, secret: `${c.secret}x` } : c));
    const { report } = await run('wrong secrets', {}, wrong);
    expect(rx.feishu.received.map((q) => q.signature)).toEqual(['invalid']);
    expect(rx.dingtalk.received.map((q) => q.signature)).toEqual(['invalid']);
    expect(report!.errors.join('\n')).toContain('code 19021');
    expect(report!.errors.join('\n')).toContain('code 310000');
    const down = channels().map((c) => (c.type === 'dingtalk' ? { ...c, url: c.url.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:1') } : c));
    const next = await run('robot unreachable', {}, down);
    expect(next.report!.errors.join('\n')).toContain('network error');
    expect(await pendingChannels()).toEqual(['dingtalk:ops-dingtalk']);
  });

  it('no URL token or signing secret of any channel reached stdout, stderr, an error or a report', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(8);
    const values = [...Object.values(secrets), ...Object.values(secrets).map((s) => `${s}x`), ...Object.values(rx).flatMap((r) => [r.token, r.url])];
    for (const { name, text } of outputs) {
      expect(text, name).toMatch(/"level":"(debug|info)"/); // the capture is real
      for (const v of values) expect(text.includes(v), `${name} leaks a secret`).toBe(false);
    }
  });
});
