import { describe, expect, it } from 'vitest';
import { parseAuditConfig } from '../lib/audit/config';
import { parseConfig } from '../lib/config/config';
import { dmsEndpoint, obsEndpoint } from '../lib/source/dms-region';
import { functionGraphEndpoint } from '../lib/doctor/functiongraph';

describe('endpoints derived from a region', () => {
  it.each([
    // region, DMS, OBS (Huawei's OBS endpoint table), FunctionGraph (the FunctionGraph SDK's table)
    ['cn-north-4', 'https://dms.cn-north-4.myhuaweicloud.com', 'https://obs.cn-north-4.myhuaweicloud.com', 'https://functiongraph.cn-north-4.myhuaweicloud.com'],
    ['ap-southeast-1', 'https://dms.ap-southeast-1.myhuaweicloud.com', 'https://obs.ap-southeast-1.myhuaweicloud.com', 'https://functiongraph.ap-southeast-1.myhuaweicloud.com'],
    ['eu-west-101', 'https://dms.eu-west-101.myhuaweicloud.eu', 'https://obs.eu-west-101.myhuaweicloud.eu', 'https://functiongraph.eu-west-101.myhuaweicloud.com'],
  ])('%s', (region, dms, obs, fgs) => {
    expect(dmsEndpoint(region)).toBe(dms);
    expect(obsEndpoint(region)).toBe(obs);
    expect(functionGraphEndpoint(region)).toBe(fgs);
  });

  it('the watcher and the CLI read OBS in the region\'s own cloud domain', () => {
    const env = { WATCH_INSTANCES: 'inst-1', WATCH_REGION: 'eu-west-101', WATCH_PROJECT_ID: 'p1', OBS_BUCKET: 'b', CLOUD_SDK_AK: 'ak', CLOUD_SDK_SK: 'sk' };
    expect(parseConfig(env).obs.endpoint).toBe('https://obs.eu-west-101.myhuaweicloud.eu');
    expect(parseAuditConfig(env).obs.endpoint).toBe('https://obs.eu-west-101.myhuaweicloud.eu');
  });
});
