// Renders public/icon.svg to the PNG sizes the web app manifest lists (run once; output committed).
import sharp from 'sharp';

for (const size of [192, 512]) {
  await sharp('public/icon.svg').resize(size, size).png({ compressionLevel: 9 }).toFile(`public/icon-${size}.png`);
  console.log(`public/icon-${size}.png`);
}
