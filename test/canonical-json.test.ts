import { describe, expect, it } from 'vitest';
import { canonicalChunks, canonicalJson, sortedCopy } from '../lib/store/canonical-json';
import { FIXTURE, OBS_SINK, reversed, withTask } from './support/builders';

describe('canonicalJson', () => {
  it('honours toJSON, as JSON.stringify does', () => {
    const v = { at: new Date('2026-11-21T07:15:00.123Z') };
    expect(canonicalJson(v)).toBe(JSON.stringify(v));
  });

  it.each([
    ['keys sorted', { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ['nested keys sorted', { z: { y: 1, x: [{ b: 2, a: 1 }] }, a: null }, '{"a":null,"z":{"x":[{"a":1,"b":2}],"y":1}}'],
    ['arrays keep their order', [3, 1, 2, { d: 1, c: 2 }], '[3,1,2,{"c":2,"d":1}]'],
    ['undefined properties dropped', { a: undefined, b: 1, c: { d: undefined } }, '{"b":1,"c":{}}'],
    ['null kept', { a: null }, '{"a":null}'],
    ['strings escaped as JSON does', { 'k"': 'line\nbreak 签名' }, '{"k\\"":"line\\nbreak 签名"}'],
    ['primitives', 42, '42'],
    ['a string', 'RUNNING', '"RUNNING"'],
  ])('%s', (_name, value, expected) => {
    expect(canonicalJson(value)).toBe(expected);
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it.each<[string, unknown, number]>([
    ['a snapshot of 100 instances × 15 fixture tasks', { z: 1, instances: Array.from({ length: 100 }, (_, n) => ({ tasks: Array.from({ length: 15 }, (_, i) => ({ ...FIXTURE[i % 3], id: `t${n}-${i}` })), b: null })), a: 'x' }, 3],
    ['toJSON, undefined members and holes at every level', { at: new Date(0), list: [undefined, 1, { u: undefined, d: new Date(1) }], skip: undefined }, 3],
    ['integer-like keys', { 10: 'a', 2: 'b', x: { 10: 1, 9: 2 } }, 3],
    ['depth 0: one piece', { b: [1, 2], a: 'é签名' }, 0],
    ['a primitive', 'RUNNING', 3],
  ])('canonicalChunks: the bytes of canonicalJson — %s', (_name, value, depth) => {
    const chunks = [...canonicalChunks(value, depth)];
    expect(Buffer.concat(chunks).toString('utf8')).toBe(canonicalJson(value));
    // Pieces are flushed at 64 KiB: no chunk is larger than that plus one instance's tasks.
    expect(chunks.every((c) => c.length <= 64 * 1024 + 16 * 1024)).toBe(true);
  });

  it.each(FIXTURE.map((t) => [t.task_name, t] as const))('the task %s gives the same bytes in any key order', (_name, t) => {
    expect(JSON.stringify(reversed(t))).not.toBe(JSON.stringify(t));
    expect(canonicalJson(reversed(t))).toBe(canonicalJson(t));
  });

  it.each([
    ['another value', { a: 1 }, { a: 2 }],
    ['another array order', { a: [1, 2] }, { a: [2, 1] }],
    ['a key more', { a: 1 }, { a: 1, b: null }],
    ['the task with another status', OBS_SINK, withTask(OBS_SINK, { status: 'PAUSED' })],
  ])('%s gives other bytes', (_name, a, b) => {
    expect(canonicalJson(a)).not.toBe(canonicalJson(b));
  });

  it.each<[string, unknown]>([
    ['a fixture task in reversed key order', reversed(FIXTURE[1])],
    ['nested objects in arrays', { z: [{ b: 1, a: { d: 1, c: 2 } }], a: null }],
    ['undefined members', { b: undefined, a: 1 }],
    ['a primitive', 'RUNNING'],
  ])('sortedCopy: %s becomes its canonical form, and plain JSON.stringify gives canonicalJson', (_name, value) => {
    const copy = sortedCopy(value);
    expect(JSON.stringify(copy)).toBe(canonicalJson(value));
    expect(canonicalJson(copy)).toBe(canonicalJson(value));
  });

  it('sortedCopy keeps "__proto__" as an own member, never as the prototype', () => {
    const copy = sortedCopy(JSON.parse('{"b":1,"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.keys(copy)).toEqual(['__proto__', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
