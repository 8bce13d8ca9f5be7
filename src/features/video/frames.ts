// A video's frames, sampled on the device: the browser's own decoder plays the file in a <video>
// element that is never shown, seeked to each sampling time in turn, and each frame copied to an
// ImageBitmap (scaled to at most FRAME_LONG_SIDE) for the face worker, once the browser says the
// seeked frame is the one presented (requestVideoFrameCallback, which also gives its own time:
// under load, 'seeked' alone came before the new frame, and a copy then was the old one). Seeking frame by frame is
// the browser's whole decoding pipeline for every container and codec it plays, with no demuxer
// to ship; the page's share of each frame is the copy, off the main thread's long tasks.
import { VideoError } from './video-errors';

/** Frames are read at most this large: the face detector reads 256 px, faces need a few dozen. */
export const FRAME_LONG_SIDE = 640;
/** Longer videos are refused with a sentence. */
export const MAX_VIDEO_SECONDS = 20 * 60;

export interface VideoInfo {
  readonly duration: number;
  readonly width: number;
  readonly height: number;
}

function once(target: EventTarget, event: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.removeEventListener(event, done);
      target.removeEventListener('error', failed);
      signal?.removeEventListener('abort', aborted);
    };
    const ok = () => (done(), resolve());
    const failed = () => (done(), reject(new VideoError('unreadable-video', `the browser could not ${event === 'seeked' ? 'seek in' : 'open'} the video`)));
    const aborted = () => (done(), reject(new VideoError('cancelled', 'cancelled')));
    target.addEventListener(event, ok, { once: true });
    target.addEventListener('error', failed, { once: true });
    signal?.addEventListener('abort', aborted, { once: true });
  });
}

/**
 * The media time of the next frame `video` presents, or null when none comes within 300 ms (a
 * seek to the frame already shown presents nothing new) or the browser cannot say.
 */
function nextFrame(video: HTMLVideoElement): Promise<number | null> {
  if (typeof video.requestVideoFrameCallback !== 'function') return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      video.cancelVideoFrameCallback(handle);
      resolve(null);
    }, 300);
    const handle = video.requestVideoFrameCallback((_now, metadata) => {
      clearTimeout(timer);
      resolve(Math.round(metadata.mediaTime * 1000) / 1000);
    });
  });
}

/** The sampling times of a video of `duration` at `fps`: 0, 1/fps, ... before the end. */
export function sampleTimes(duration: number, fps: number): number[] {
  const count = Math.max(1, Math.ceil(duration * fps - 1e-9));
  return Array.from({ length: count }, (_, k) => Math.round((k / fps) * 1000) / 1000);
}

/**
 * Samples `file` at `fps` frames a second: `onFrame` gets each time and frame (its to keep: it
 * may transfer it) and is awaited before the next seek. Rejects with a VideoError.
 */
export async function sampleVideo(
  file: Blob,
  fps: number,
  onFrame: (t: number, frame: ImageBitmap, index: number, count: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<VideoInfo> {
  const url = URL.createObjectURL(file);
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.preload = 'auto';
  try {
    video.src = url;
    await once(video, 'loadeddata', signal);
    let duration = video.duration;
    if (!Number.isFinite(duration)) {
      // A recording without a duration in its header (MediaRecorder's WebM): seek far to learn it.
      video.currentTime = 1e9;
      await once(video, 'seeked', signal);
      duration = video.duration;
    }
    if (!(duration > 0)) throw new VideoError('unreadable-video', 'the video has no frames');
    if (duration > MAX_VIDEO_SECONDS) {
      throw new VideoError('too-long', `This video is ${Math.round(duration / 60)} minutes long; videos are read up to ${MAX_VIDEO_SECONDS / 60} minutes. Cut it into parts and analyze each.`);
    }
    const width = video.videoWidth;
    const height = video.videoHeight;
    if (!width || !height) throw new VideoError('unreadable-video', 'the file has no picture track');
    const scale = Math.min(1, FRAME_LONG_SIDE / Math.max(width, height));
    const times = sampleTimes(duration, fps);
    for (const [index, t] of times.entries()) {
      signal?.throwIfAborted();
      const presented = nextFrame(video);
      video.currentTime = t;
      await once(video, 'seeked', signal);
      const at = await presented;
      const frame = await createImageBitmap(video, { resizeWidth: Math.round(width * scale), resizeHeight: Math.round(height * scale), resizeQuality: 'medium' });
      await onFrame(at ?? t, frame, index, times.length);
    }
    return { duration, width, height };
  } catch (err) {
    if (err instanceof VideoError) throw err;
    if (signal?.aborted) throw new VideoError('cancelled', 'cancelled');
    throw new VideoError('unreadable-video', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
