/**
 * The store's body bytes (lib/store/body.ts), without OBS: state.json's bytes against RFC 8785
 * `canonicalize` as an independent oracle, the snapshot's kept bytes spliced back as they were read,
 * and a JSON body parsed as it streams in.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEEP_MAX_BYTES, SnapshotBodies, keptBytes, measure, readJson, stateBody } from '../lib/store/body';
import { SNAPSHOT_SCHEMA, type Snapshot } from '../lib/store/snapshot';
import { STATE_SCHEMA, type State } from '../lib/store/state';

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const bytesOf = (body: { chunks: () => Iterable<Buffer> }) => Buffer.concat([...body.chunks()]);

const snapshot = (name: string | null = 'orders', tasks: unknown[] = [{ id: 't1', status: 'RUNNING' }]): Snapshot => ({
  schema: SNAPSHOT_SCHEMA,
  id: '20261202T010000000Z',
  taken_at: '2026-12-02T01:00:00.000Z',
  previous: null,
  instances: [{ instance_id: 'i-1', name, region: 'cn-north-4', project_id: 'p', ok: true, error: null, total_number: tasks.length, max_tasks: 18, quota_tasks: 18, tasks: tasks as never }],
  changes: [],
});
const state = (snap: Snapshot, extra: Partial<State> = {}): State => ({
  schema: STATE_SCHEMA,
  snapshot: snap,
  last_history: { id: snap.id, key: 'p/history/2026/12/02/20261202T010000000Z.json', sha256: '0'.repeat(64) },
  checked_at: '2026-12-02T01:00:05.000Z',
  outbox: [],
  ...extra,
});

/** Chunks of `text` cut at the given byte offsets (so a multi-byte character may be cut in two). */
const cut = (text: string, at: number[]) => {
  const bytes = Buffer.from(text);
  const ends = [...new Set(at.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
  return [0, ...ends].map((from, i) => bytes.subarray(from, ends[i] ?? bytes.length)).filter((c) => c.length > 0);
};

describe('state.json bytes', () => {
  it.each([
    ['a small state', state(snapshot())],
    ['no head of the chain yet', state(snapshot(), { last_history: null })],
    ['hostile names and an outbox', state(snapshot('‮evil\u0000 "quoted" 🦊'), { outbox: [{ id: 'm', snapshot_id: 's', taken_at: 't', created_at: 'c', changes: [], pending: ['ops'], attempts: 2, last_error: 'HTTP 503' }] })],
    ['no tasks', state(snapshot(null, []))],
  ])('%s: canonical JSON, the snapshot spliced in', (_, s) => {
    const body = stateBody(s, new SnapshotBodies());
    const bytes = bytesOf(body);
    expect(bytes.toString()).toBe(canonicalize(s));
    expect(body.length).toBe(bytes.length);
    expect(bytesOf(body)).toEqual(bytes); // made again for each attempt
  });

  it('any instance name and check time give canonical JSON', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ unit: 'binary' })), fc.string({ unit: 'binary' }), (name, checked) => {
        const s = state(snapshot(name), { checked_at: checked });
        expect(bytesOf(stateBody(s, new SnapshotBodies())).toString()).toBe(canonicalize(s));
      }),
    );
  });

  it("writes back a snapshot's bytes as they were read, once adopted", () => {
    const snap = snapshot();
    const pretty = Buffer.from(JSON.stringify(snap, null, 2));
    const bodies = new SnapshotBodies();
    bodies.adopt(snap, measure(() => [pretty]));
    const s = state(snap);
    const { snapshot: _, ...rest } = s;
    expect(bytesOf(stateBody(s, bodies)).toString()).toBe(`${canonicalize(rest)?.slice(0, -1)},"snapshot":${pretty.toString()}}`);
    expect(bodies.of(snap).sha256).toBe(sha(pretty));
  });

  it("measures a snapshot once: its history object's sha256 is that of its canonical bytes", () => {
    const snap = snapshot();
    const bodies = new SnapshotBodies();
    expect(bodies.of(snap)).toBe(bodies.of(snap));
    expect(bodies.of(snap).sha256).toBe(sha(canonicalize(snap) ?? ''));
  });
});

describe('measure', () => {
  it.each([[[]], [['{}']], [['{"a":', '"é"', '}']]])('%j: the length and sha256 of the concatenated bytes', (parts) => {
    const chunks = parts.map((p) => Buffer.from(p));
    const body = measure(() => chunks);
    expect(body).toMatchObject({ length: Buffer.concat(chunks).length, sha256: sha(Buffer.concat(chunks)) });
  });
});

describe('a JSON body as it streams in', () => {
  const text = `{"schema": "x", "snapshot": {"id": "é🦊", "list": [1, 2, {"deep": null}]} , "z": true}`;

  it('parses whatever the chunking, with the sha256 of the bytes when asked', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat()), fc.boolean(), async (at, hashed) => {
        const out = await readJson(Readable.from(cut(text, at)), Buffer.byteLength(text), { hashed });
        expect(out).toEqual({ json: JSON.parse(text), sha256: hashed ? sha(text) : undefined });
      }),
      { numRuns: 50 },
    );
  });

  it.each([
    ['at most KEEP_MAX_BYTES long: kept', KEEP_MAX_BYTES, true],
    ['longer: not kept', KEEP_MAX_BYTES + 1, false],
    ['of unknown length: not kept', Number.POSITIVE_INFINITY, false],
  ])('keeps the text at a path exactly as read, for a body %s', async (_, length, kept) => {
    const k = keptBytes(['snapshot']);
    await readJson(Readable.from(cut(text, [30, 31, 32, 50])), length, { keep: k.keep });
    const inner = '{"id": "é🦊", "list": [1, 2, {"deep": null}]}';
    expect(k.value() && { text: bytesOf(k.value()!).toString(), sha256: k.value()!.sha256, length: k.value()!.length }).toEqual(
      kept ? { text: inner, sha256: sha(inner), length: Buffer.byteLength(inner) } : undefined,
    );
  });

  it.each([['{"a": '], ['not json'], ['{"a": 1} trailing']])('%j: invalid, and the stream is let go', async (bad) => {
    const body = Readable.from([Buffer.from(bad)]);
    const out = await readJson(body, bad.length, { hashed: true });
    expect(out).toMatchObject({ sha256: undefined, invalid: expect.any(String) });
    expect(body.destroyed).toBe(true);
  });
});
