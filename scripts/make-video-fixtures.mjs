#!/usr/bin/env node
// Test videos of the video channel (issue 31), made from the repo's own photos
// (tests/fixtures/faces: public domain and CC0) and speech (tests/fixtures/audio) with sharp and
// Debian's ffmpeg, and committed (tests and CI need neither ffmpeg nor this script):
//
//   tests/fixtures/video/three-scenes.webm   9 s, 640x360, 10 fps, VP8 + Opus: one smiling person
//                                            (0-3 s), a room without anyone (3-6 s: a coffee
//                                            table), three people (6-9 s); the sound is the two
//                                            sentences of tests/fixtures/audio/two-sentences.wav
//   tests/fixtures/video/one-face.y4m        2 frames (looped), 480x270, 5 fps of the smiling person,
//                                            for Chromium's fake camera (--use-file-for-fake-video-capture;
//                                            it did not read an MJPEG file from ffmpeg here)
//
//   node scripts/make-video-fixtures.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FACES = path.resolve(HERE, '..', 'tests', 'fixtures', 'faces');
const AUDIO = path.resolve(HERE, '..', 'tests', 'fixtures', 'audio', 'two-sentences.wav');
export const VIDEO_DIR = path.resolve(HERE, '..', 'tests', 'fixtures', 'video');
const W = 640;
const H = 360;
const FPS = 10;
/** The scenes, in order, each SCENE_SECONDS long. */
export const SCENE_SECONDS = 3;

/** A portrait cut around the head, as tests/support/face-photos.mjs cuts them. */
const PORTRAITS = {
  astronaut: ['astronaut.jpg', { left: 130, top: 20, width: 240, height: 300 }],
  camera: ['camera.jpg', { left: 100, top: 40, width: 240, height: 300 }],
  hopper: ['grace-hopper.jpg', { left: 140, top: 60, width: 240, height: 300 }],
};

const cut = ([file, region]) => sharp(path.join(FACES, file)).extract(region).resize(200, 250).toBuffer();

/** A 640x360 frame with these tiles at these x positions, on grey. */
async function frame(tiles) {
  return sharp({ create: { width: W, height: H, channels: 3, background: '#7a7a7a' } })
    .composite(tiles.map(({ input, left }) => ({ input, left, top: (H - 250) / 2 })))
    .png()
    .toBuffer();
}

export async function sceneFrames() {
  const [astronaut, camera, hopper] = await Promise.all([PORTRAITS.astronaut, PORTRAITS.camera, PORTRAITS.hopper].map(cut));
  const room = await sharp(path.join(FACES, 'coffee.jpg')).resize(W, H, { fit: 'cover' }).png().toBuffer();
  return {
    one: await frame([{ input: astronaut, left: (W - 200) / 2 }]),
    room,
    three: await frame([
      { input: astronaut, left: 10 },
      { input: camera, left: 220 },
      { input: hopper, left: 430 },
    ]),
  };
}

function main() {
  const run = (args) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'moodlens-video-'));
  return sceneFrames()
    .then((scenes) => {
      for (const [name, png] of Object.entries(scenes)) fs.writeFileSync(path.join(tmp, `${name}.png`), png);
      fs.mkdirSync(VIDEO_DIR, { recursive: true });
      const still = (name) => ['-loop', '1', '-framerate', String(FPS), '-t', String(SCENE_SECONDS), '-i', path.join(tmp, `${name}.png`)];
      run([
        ...still('one'),
        ...still('room'),
        ...still('three'),
        '-i', AUDIO,
        '-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]',
        '-map', '[v]', '-map', '3:a',
        '-t', String(3 * SCENE_SECONDS),
        '-c:v', 'libvpx', '-b:v', '300k', '-g', String(FPS),
        '-c:a', 'libopus', '-b:a', '32k', '-ac', '1',
        '-map_metadata', '-1', '-fflags', '+bitexact',
        path.join(VIDEO_DIR, 'three-scenes.webm'),
      ]);
      run(['-loop', '1', '-framerate', '5', '-t', '0.4', '-i', path.join(tmp, 'one.png'), '-vf', 'scale=480:270,format=yuv420p', '-f', 'yuv4mpegpipe', path.join(VIDEO_DIR, 'one-face.y4m')]);
      for (const file of fs.readdirSync(VIDEO_DIR)) console.log(`wrote tests/fixtures/video/${file} (${(fs.statSync(path.join(VIDEO_DIR, file)).size / 1024).toFixed(0)} kB)`);
    })
    .finally(() => fs.rmSync(tmp, { recursive: true, force: true }));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
