/**
 * The OBS operations the bundle keeps (lib/store/obs-operations.ts) are those the store calls:
 * scripts/build.mjs drops every other operation's model, so a call missing from the list would fail
 * only at run time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OBS_OPERATIONS, checkObsOperations } from '../lib/store/obs-operations';

const DIR = resolve(__dirname, '../lib/store');
const SOURCES = Object.fromEntries(
  readdirSync(DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => [`lib/store/${f}`, readFileSync(resolve(DIR, f), 'utf8')]),
);

describe('OBS_OPERATIONS', () => {
  it('lists exactly the operations lib/store calls', () => {
    expect(checkObsOperations(OBS_OPERATIONS, SOURCES)).toEqual([]);
  });

  it.each(OBS_OPERATIONS.map((op) => [op]))('without %s, the check names the call it misses', (op) => {
    const problems = checkObsOperations(OBS_OPERATIONS.filter((o) => o !== op), SOURCES);
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^lib/store/[\\w-]+\\.ts calls client\\.${op}\\( but OBS_OPERATIONS does not list it$`))]);
  });

  it.each([
    ['a listed operation nobody calls', ['getObject', 'deleteObject'], { 'a.ts': 'client.getObject({})' }, ['OBS_OPERATIONS lists deleteObject but no file in lib/store calls client.deleteObject(']],
    ['a call in any file', ['getObject'], { 'a.ts': 'client.getObject(x)', 'b.ts': 'await client.copyObject(y)' }, ['b.ts calls client.copyObject( but OBS_OPERATIONS does not list it']],
    ['not a call', ['getObject'], { 'a.ts': 'client.getObject(x); myclient.putObject(y); client.copyObject; // client copy' }, []],
  ])('%s', (_, listed, sources, problems) => {
    expect(checkObsOperations(listed, sources)).toEqual(problems);
  });

  it.each(OBS_OPERATIONS.map((op) => [op]))('esdk-obs-nodejs has a model for %s in both protocols', (op) => {
    const model = (file: string) => createRequire(__filename)(`esdk-obs-nodejs/lib/${file}`) as Record<string, unknown>;
    const name = op[0]!.toUpperCase() + op.slice(1);
    expect([model('obsModel.js')[name], model('v2Model.js')[name]]).toEqual([expect.any(Object), expect.any(Object)]);
  });
});
