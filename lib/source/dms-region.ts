// The region table only: the client itself is loaded by dms-source.ts.
import { KafkaRegion } from '@huaweicloud/huaweicloud-sdk-kafka/v2/KafkaRegion';

// `REGION_MAP` is private in the SDK's types; `valueOf` throws for a region it does not hold.
const TABLE = (KafkaRegion as unknown as { REGION_MAP: Record<string, { endpoints: string[] }> }).REGION_MAP;

/** The regions of the Kafka SDK's table, sorted (a region it does not know needs DMS_ENDPOINT). */
export const DMS_REGIONS: readonly string[] = Object.keys(TABLE).sort();

export function isDmsRegion(region: string): boolean {
  return Object.hasOwn(TABLE, region);
}

/** The DMS endpoint of a region of the SDK's table (`https://dms.eu-west-101.myhuaweicloud.eu`, …). */
export function dmsEndpoint(region: string): string {
  const endpoint = isDmsRegion(region) ? TABLE[region]?.endpoints[0] : undefined;
  // Unreachable through parseConfig, which refuses such a region unless DMS_ENDPOINT is set.
  if (!endpoint) throw new Error(`no DMS endpoint for region ${region}: set DMS_ENDPOINT`);
  return endpoint;
}

/**
 * The OBS endpoint of a region: `obs.{region}.` in the cloud domain of the region's DMS endpoint
 * (`https://obs.eu-west-101.myhuaweicloud.eu` for EU-Dublin, as Huawei's OBS endpoint table gives
 * it); `myhuaweicloud.com` for a region the SDK does not know.
 */
export function obsEndpoint(region: string): string {
  const dms = isDmsRegion(region) ? TABLE[region]?.endpoints[0] : undefined;
  const domain = dms ? new URL(dms).hostname.split('.').slice(2).join('.') : 'myhuaweicloud.com';
  return `https://obs.${region}.${domain}`;
}
