import { describe, expect, it } from 'vitest';
import { Redactor, Secret, describeUrl } from '../lib/secret';

describe('Redactor', () => {
  const FEISHU = 'https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-6b5a-4321-9876-abcdef012345';
  const DINGTALK = 'https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f3a2b&timestamp=1';
  const SLACK = 'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

  it.each<[string, (r: Redactor) => void, string, string]>([
    ['longer values first', (r) => r.add('abcd1234', 'abcd1234efgh'), 'x abcd1234efgh y abcd1234', 'x <secret> y <secret>'],
    ['longer first whatever the order added', (r) => r.add('abcd1234efgh', 'abcd1234'), 'abcd1234efgh|abcd1234', '<secret>|<secret>'],
    ['every occurrence', (r) => r.add('s3cr3t-TOKEN'), 's3cr3t-TOKEN and s3cr3t-TOKEN', '<secret> and <secret>'],
    ['a Secret', (r) => r.add(new Secret('s3cr3t-TOKEN')), 'key=s3cr3t-TOKEN', 'key=<secret>'],
    ['values under 4 characters ignored', (r) => r.add('abc', undefined, ''), 'abc', 'abc'],
    ['a URL, and its path token alone', (r) => r.addUrl(FEISHU), `POST ${FEISHU} failed; token 0f9e8d7c-6b5a-4321-9876-abcdef012345 invalid`, 'POST <secret> failed; token <secret> invalid'],
    ['a query token', (r) => r.addUrl(DINGTALK), 'sent to oapi.dingtalk.com?access_token=9a8b7c6d5e4f3a2b: 310000', 'sent to oapi.dingtalk.com?access_token=<secret>: 310000'],
    ['a long path token, not the short segments', (r) => r.addUrl(SLACK), 'services/T00000000: XXXXXXXXXXXXXXXXXXXXXXXX invalid', 'services/T00000000: <secret> invalid'],
    ['a URL password', (r) => r.addUrl('https://bot:p4ssw0rd@hooks.example.com/in'), 'auth p4ssw0rd rejected', 'auth <secret> rejected'],
    ['a string that is not a URL, whole', (r) => r.addUrl('not a url but secret'), 'x not a url but secret y', 'x <secret> y'],
    ['text without secrets unchanged', (r) => r.addUrl(FEISHU), 'instance prod: HTTP 503', 'instance prod: HTTP 503'],
  ])('%s', (_name, register, text, expected) => {
    const r = new Redactor();
    register(r);
    expect(r.redact(text)).toBe(expected);
  });

  it.each<[string, string]>([
    ['https://open.feishu.cn/open-apis/bot/v2/hook/0f9e8d7c-6b5a-4321-9876-abcdef012345', 'https://open.feishu.cn/…'],
    ['https://oapi.dingtalk.com/robot/send?access_token=9a8b7c6d5e4f3a2b', 'https://oapi.dingtalk.com/…'],
    ['http://127.0.0.1:8080/hook/5e4f3a2b1c0d', 'http://127.0.0.1:8080/…'],
    ['https://bot:p4ssw0rd@hooks.example.com/in#frag', 'https://hooks.example.com/…'],
    ['not a url', '<invalid url>'],
  ])('describeUrl(%s) = %s', (url, described) => {
    expect(describeUrl(url)).toBe(described);
    for (const token of ['0f9e8d7c', '9a8b7c6d5e4f3a2b', '5e4f3a2b1c0d', 'p4ssw0rd']) expect(describeUrl(url)).not.toContain(token);
  });
});
