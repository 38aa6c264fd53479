import { afterEach, describe, expect, it, vi } from 'vitest';
import { classifyHttpStatus, retryAfterMs } from '../lib/notify/http';

describe('classifyHttpStatus', () => {
  afterEach(() => {
    vi.useRealTimers();
  });
  const answer = (status: number, headers: Record<string, string> = {}, body = '') => ({ status, headers: new Headers(headers), body });

  it.each([200, 201, 202, 204, 299])('%i is ok', (status) => {
    expect(classifyHttpStatus(answer(status, {}, '{"errcode":0}'))).toEqual({ status: 'ok' });
  });

  it.each([400, 401, 403, 404, 405, 410, 413, 422, 301, 302])('%i is permanent', (status) => {
    expect(classifyHttpStatus(answer(status))).toEqual({ status: 'permanent', reason: `HTTP ${status}` });
  });

  it.each([429, 500, 502, 503, 504, 599])('%i is retryable', (status) => {
    expect(classifyHttpStatus(answer(status))).toEqual({ status: 'retryable', reason: `HTTP ${status}`, retryAfterMs: undefined });
  });

  it.each<[string, number, Record<string, string>, number | undefined]>([
    ['Retry-After seconds on 429', 429, { 'retry-after': '120' }, 120_000],
    ['Retry-After 0 on 503', 503, { 'retry-after': '0' }, 0],
    ['Retry-After an HTTP-date 90 s ahead', 503, { 'retry-after': 'Sat, 21 Nov 2026 07:16:30 GMT' }, 90_000],
    ['Retry-After an HTTP-date in the past', 503, { 'retry-after': 'Sat, 21 Nov 2026 07:00:00 GMT' }, 0],
    ['Retry-After unreadable', 429, { 'retry-after': 'later please' }, undefined],
  ])('%s', (_name, status, headers, expected) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-21T07:15:00.000Z'));
    const outcome = classifyHttpStatus(answer(status, headers));
    expect(outcome).toMatchObject({ status: 'retryable' });
    expect(outcome.status === 'retryable' ? outcome.retryAfterMs : 'not retryable').toBe(expected);
    expect(retryAfterMs(new Headers(headers), Date.parse('2026-11-21T07:15:00.000Z'))).toBe(expected);
  });

  it.each<[string, string, string]>([
    ['the body in the reason, whitespace collapsed', '{"error":\n  "invalid payload"}', 'HTTP 400: {"error": "invalid payload"}'],
    ['a long body cut at 200 characters', 'x'.repeat(500), `HTTP 400: ${'x'.repeat(200)}`],
  ])('%s', (_name, body, reason) => {
    expect(classifyHttpStatus(answer(400, {}, body))).toEqual({ status: 'permanent', reason });
  });
});
