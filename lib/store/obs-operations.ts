/**
 * The esdk-obs-nodejs operations the store calls. The function bundle keeps the models of these alone
 * (scripts/build.mjs), so an operation called but not listed here would fail at run time: the build and
 * test/obs-operations.test.ts check this list against the `client.<op>(` calls in lib/store/*.ts.
 * No imports: the build reads this file on its own.
 */
export const OBS_OPERATIONS = ['getObject', 'putObject', 'getObjectMetadata', 'listObjects', 'copyObject', 'deleteObject'] as const;
export type ObsOperation = (typeof OBS_OPERATIONS)[number];

/** Problems with `listed` against the sources (file name → text): calls not listed, listed operations never called. */
export function checkObsOperations(listed: readonly string[], sources: Readonly<Record<string, string>>): string[] {
  const called = new Map<string, string>();
  for (const [file, text] of Object.entries(sources)) {
    for (const [, op] of text.matchAll(/\bclient\.(\w+)\(/g)) if (op && !called.has(op)) called.set(op, file);
  }
  return [
    ...[...called].filter(([op]) => !listed.includes(op)).map(([op, file]) => `${file} calls client.${op}( but OBS_OPERATIONS does not list it`),
    ...listed.filter((op) => !called.has(op)).map((op) => `OBS_OPERATIONS lists ${op} but no file in lib/store calls client.${op}(`),
  ];
}
