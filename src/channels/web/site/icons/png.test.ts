import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import { it } from 'node:test';
import { appIconPng, appIconSvg } from './app-icon.js';
import { crc32, encodePng } from './png.js';

it('crc32 is the PNG (ISO 3309) one', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

it('encodes RGBA pixels that decode back to the same bytes', () => {
  const rgba = Uint8Array.from({ length: 3 * 2 * 4 }, (_, index) => (index * 37) % 256);
  const png = encodePng(3, 2, rgba);
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 3);
  assert.equal(png.readUInt32BE(20), 2);
  const idat_length = png.readUInt32BE(33);
  assert.equal(png.subarray(37, 41).toString('latin1'), 'IDAT');
  const rows = inflateSync(png.subarray(41, 41 + idat_length));
  assert.deepEqual([...rows], [0, ...rgba.subarray(0, 12), 0, ...rgba.subarray(12)]);
  assert.equal(png.readUInt32BE(41 + idat_length), crc32(png.subarray(37, 41 + idat_length)));
  assert.throws(() => encodePng(2, 2, new Uint8Array(3)), /RGBA/);
});

it('draws the icon: transparent rounded corners, or a full square when maskable', () => {
  const corner_alpha = (png: Buffer) => inflateSync(png.subarray(41, 41 + png.readUInt32BE(33)))[4];
  assert.equal(corner_alpha(appIconPng(48, 'rounded')), 0);
  assert.equal(corner_alpha(appIconPng(48, 'maskable')), 255);
  assert.match(appIconSvg(), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 100 100">/);
});
