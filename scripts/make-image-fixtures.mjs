// Writes the image fixtures for the vision tests to tests/fixtures/images/ (or to the directory
// given as the first argument). Deterministic: the same sharp/libvips version writes the same bytes.
//   node scripts/make-image-fixtures.mjs [outDir]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outDir = resolve(process.argv[2] ?? join(root, 'tests/fixtures/images'));

function svg(width, height, body) {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>`);
}

const SMILEY = svg(
  640,
  480,
  `<rect width="640" height="480" fill="#eef3f8"/>
   <circle cx="320" cy="240" r="170" fill="#ffd21f" stroke="#c99a00" stroke-width="8"/>
   <ellipse cx="262" cy="190" rx="20" ry="30" fill="#3a2a12"/>
   <ellipse cx="378" cy="190" rx="20" ry="30" fill="#3a2a12"/>
   <path d="M 225 270 Q 320 370 415 270" fill="none" stroke="#3a2a12" stroke-width="14" stroke-linecap="round"/>`,
);

// Stored 400x200: red top half, blue bottom half, a green square in the stored top-left corner.
// With EXIF orientation 6 (rotate 90° clockwise to display) it shows as 200x400: blue left half,
// red right half, green square top-right.
const ROTATED = svg(
  400,
  200,
  `<rect width="400" height="100" fill="#ff0000"/>
   <rect y="100" width="400" height="100" fill="#0000ff"/>
   <rect width="40" height="40" fill="#00ff00"/>`,
);

const SMALL = svg(
  64,
  64,
  `<rect width="64" height="64" fill="#ffffff"/>
   <circle cx="32" cy="32" r="26" fill="#ffd21f"/>
   <circle cx="23" cy="26" r="4" fill="#000"/><circle cx="41" cy="26" r="4" fill="#000"/>
   <path d="M 20 38 Q 32 50 44 38" fill="none" stroke="#000" stroke-width="3"/>`,
);

const PHOTO = svg(
  320,
  240,
  `<defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
     <stop offset="0" stop-color="#5b8fd6"/><stop offset="1" stop-color="#cfe3f7"/></linearGradient></defs>
   <rect width="320" height="240" fill="url(#sky)"/>
   <rect y="170" width="320" height="70" fill="#4f7d3a"/>
   <circle cx="160" cy="120" r="55" fill="#f1c27d"/>
   <circle cx="140" cy="108" r="6" fill="#222"/><circle cx="180" cy="108" r="6" fill="#222"/>
   <path d="M 135 140 Q 160 125 185 140" fill="none" stroke="#222" stroke-width="4"/>`,
);

function gifFrame(color) {
  return svg(64, 64, `<rect width="64" height="64" fill="#ffffff"/><circle cx="32" cy="32" r="24" fill="${color}"/>`);
}

// --- hand-built PNG -------------------------------------------------------------------------
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A PNG whose header declares 20000x20000 8-bit RGB; its IDAT holds only a few zero bytes. */
function hugePng() {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(20000, 0); // width
  ihdr.writeUInt32BE(20000, 4); // height
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // color type: RGB
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(Buffer.alloc(16), { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An ISO-BMFF file with an `ftyp` box of brand `heic`, then a `free` box of padding. */
function heicHeader() {
  const ftyp = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from('ftyp', 'ascii'),
    Buffer.from('heic', 'ascii'), // major brand
    Buffer.from([0, 0, 0, 0]), // minor version
    Buffer.from('mif1heic', 'ascii'), // compatible brands
  ]);
  const free = Buffer.concat([Buffer.from([0, 0, 0, 40]), Buffer.from('free', 'ascii'), Buffer.alloc(32)]);
  return Buffer.concat([ftyp, free]);
}

// --- build ----------------------------------------------------------------------------------
const smile = await sharp(SMILEY)
  .jpeg({ quality: 80 })
  .withExif({
    IFD0: { Make: 'MoodlensTestCam', Model: 'T1', Software: 'moodlens-fixtures' },
    // IFD3 is the GPS IFD in libvips: rationals as "num/den" triples.
    IFD3: {
      GPSLatitudeRef: 'N',
      GPSLatitude: '48/1 51/1 2412/100',
      GPSLongitudeRef: 'E',
      GPSLongitude: '2/1 17/1 4020/100',
    },
  })
  .toBuffer();

const files = {
  'smile.jpg': smile,
  'rotated.jpg': await sharp(ROTATED).jpeg({ quality: 85 }).withMetadata({ orientation: 6 }).toBuffer(),
  'small.png': await sharp(SMALL).png({ compressionLevel: 9, palette: true }).toBuffer(),
  'photo.webp': await sharp(PHOTO).webp({ quality: 75 }).toBuffer(),
  'anim.gif': await sharp([gifFrame('#e53935'), gifFrame('#1e88e5')], { join: { animated: true } })
    .gif({ delay: [400, 400], loop: 0 })
    .toBuffer(),
  'not-an-image.jpg': Buffer.from('This is a plain UTF-8 text file with a .jpg name — not an image. ✓\n', 'utf8'),
  'truncated.jpg': smile.subarray(0, Math.floor(smile.length * 0.4)),
  'huge.png': hugePng(),
  'sample.heic': heicHeader(),
};

mkdirSync(outDir, { recursive: true });
let total = 0;
for (const [name, bytes] of Object.entries(files)) {
  writeFileSync(join(outDir, name), bytes);
  total += bytes.length;
  console.log(`${relative(process.cwd(), join(outDir, name)).padEnd(40)} ${String(bytes.length).padStart(7)} bytes`);
}
console.log(`${'total'.padEnd(40)} ${String(total).padStart(7)} bytes`);
