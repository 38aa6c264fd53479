// Writes dist/smart-connect-watch.zip: the artifact FunctionGraph runs (index.js at its root, no node_modules).
// Also leaves dist/function/index.js, the folder serverless.yml's code.codeUri points at.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';

execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
await mkdir('dist/function', { recursive: true });
// Each file is written beside its place and renamed into it: never seen half-written.
const tmp = (path) => `${path}.${process.pid}.tmp`;
await copyFile('dist/index.js', tmp('dist/function/index.js'));
await rename(tmp('dist/function/index.js'), 'dist/function/index.js');

const files = [{ name: 'index.js', data: await readFile('dist/index.js'), mtime: (await stat('dist/index.js')).mtime }];
await writeFile(tmp('dist/smart-connect-watch.zip'), zip(files));
await rename(tmp('dist/smart-connect-watch.zip'), 'dist/smart-connect-watch.zip');
const size = (await stat('dist/smart-connect-watch.zip')).size;
console.log(`dist/smart-connect-watch.zip: ${(size / 1024).toFixed(0)} KiB (index.js ${(files[0].data.length / 1024).toFixed(0)} KiB)`);

/** A minimal ZIP (deflate) writer: local headers, central directory, end record. */
function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data, mtime } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data);
    const [time, date] = dosTime(mtime);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by: unix, 2.0
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(time, 12);
    central.writeUInt16LE(date, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38); // -rw-r--r--
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

function dosTime(d) {
  return [(d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1), ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()];
}

function crc32(buf) {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
