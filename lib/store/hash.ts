import { createHash } from 'node:crypto';

/** Hex sha256 of a string's UTF-8 bytes, of bytes, or of chunks of bytes taken in order. */
export function sha256Hex(data: string | Uint8Array | readonly Uint8Array[]): string {
  const hash = createHash('sha256');
  if (Array.isArray(data)) for (const chunk of data) hash.update(chunk);
  else hash.update(data as string | Uint8Array);
  return hash.digest('hex');
}
