// Draws the app icon (a director above three realservers, joined by lines: LVS-NAT in one picture) without any image
// library, and writes build/icon.png (256×256) and build/icon.ico (16–128 px as 32-bit BMP entries, which every Windows
// tool and NSIS read, plus 256 px as a PNG entry, the Vista+ format). Run: node build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG = hex('#1d3f66');
const LINE = hex('#a9cdf0');
const DIRECTOR = hex('#f2a900');
const SERVER = hex('#ffffff');

/** Signed distance helpers in unit coordinates. */
const roundRect = (x, y, inset, r) => {
  const qx = Math.abs(x - 0.5) - (0.5 - inset - r);
  const qy = Math.abs(y - 0.5) - (0.5 - inset - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
};
const circle = (x, y, cx, cy, r) => Math.hypot(x - cx, y - cy) - r;
const segment = (x, y, ax, ay, bx, by, w) => {
  const px = x - ax, py = y - ay, dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, (px * dx + py * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - t * dx, py - t * dy) - w / 2;
};

const top = [0.5, 0.27];
const servers = [[0.2, 0.74], [0.5, 0.74], [0.8, 0.74]];

/** The colour (RGBA) at a point, painting back to front. */
function paint(x, y) {
  if (roundRect(x, y, 0.02, 0.19) > 0) return [0, 0, 0, 0];
  let c = BG;
  for (const [sx, sy] of servers) if (segment(x, y, top[0], top[1], sx, sy, 0.05) <= 0) c = LINE;
  if (circle(x, y, top[0], top[1], 0.13) <= 0) c = DIRECTOR;
  for (const [sx, sy] of servers) if (circle(x, y, sx, sy, 0.095) <= 0) c = SERVER;
  return [...c, 255];
}

/** size×size RGBA pixels, 8×8 supersampled. */
function render(size) {
  const ss = 8;
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let v = 0; v < ss; v++) {
        for (let u = 0; u < ss; u++) {
          const [cr, cg, cb, ca] = paint((i + (u + 0.5) / ss) / size, (j + (v + 0.5) / ss) / size);
          r += cr * ca; g += cg * ca; b += cb * ca; a += ca;
        }
      }
      const o = (j * size + i) * 4;
      px[o] = a ? Math.round(r / a) : 0;
      px[o + 1] = a ? Math.round(g / a) : 0;
      px[o + 2] = a ? Math.round(b / a) : 0;
      px[o + 3] = Math.round(a / (ss * ss));
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
};

/** RGBA → PNG (8-bit RGBA, no filter). */
function png(size, px) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let j = 0; j < size; j++) px.copy(raw, j * (size * 4 + 1) + 1, j * size * 4, (j + 1) * size * 4);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** RGBA → ICO BMP entry: BITMAPINFOHEADER (height doubled), bottom-up BGRA rows, then the 1-bit AND mask. */
function bmp(size, px) {
  const header = Buffer.alloc(40);
  header.writeUInt32LE(40, 0);
  header.writeInt32LE(size, 4);
  header.writeInt32LE(size * 2, 8);
  header.writeUInt16LE(1, 12);
  header.writeUInt16LE(32, 14);
  header.writeUInt32LE(size * size * 4, 20);
  const xor = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const s = (j * size + i) * 4;
      const d = ((size - 1 - j) * size + i) * 4;
      xor[d] = px[s + 2];
      xor[d + 1] = px[s + 1];
      xor[d + 2] = px[s];
      xor[d + 3] = px[s + 3];
    }
  }
  const rowBytes = Math.ceil(size / 32) * 4;
  const and = Buffer.alloc(rowBytes * size);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) if (px[(j * size + i) * 4 + 3] === 0) and[(size - 1 - j) * rowBytes + (i >> 3)] |= 0x80 >> (i & 7);
  return Buffer.concat([header, xor, and]);
}

/** Entries → ICO container. */
function ico(entries) {
  const head = Buffer.alloc(6 + 16 * entries.length);
  head.writeUInt16LE(0, 0);
  head.writeUInt16LE(1, 2);
  head.writeUInt16LE(entries.length, 4);
  let offset = head.length;
  entries.forEach(({ size, data }, k) => {
    const e = 6 + 16 * k;
    head[e] = size >= 256 ? 0 : size;
    head[e + 1] = size >= 256 ? 0 : size;
    head.writeUInt16LE(1, e + 4); // planes
    head.writeUInt16LE(32, e + 6); // bits per pixel
    head.writeUInt32LE(data.length, e + 8);
    head.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([head, ...entries.map((e) => e.data)]);
}

const big = render(256);
const bigPng = png(256, big);
writeFileSync(path.join(here, 'icon.png'), bigPng);
const entries = [16, 24, 32, 48, 64, 128].map((size) => ({ size, data: bmp(size, render(size)) }));
entries.push({ size: 256, data: bigPng });
writeFileSync(path.join(here, 'icon.ico'), ico(entries));
console.log(`wrote ${path.join(here, 'icon.png')} and icon.ico (${entries.map((e) => e.size).join(', ')} px)`);
