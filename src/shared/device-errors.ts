// One sentence for each way a camera or a microphone can fail to start (getUserMedia's errors),
// saying what to do next: the same for Take a photo, Record and the live camera.

/** `instead`: the other way in, as the end of a sentence ("choose a picture instead"). */
export function deviceFailure(err: unknown, device: 'camera' | 'microphone', instead: string): string {
  const name = err instanceof DOMException ? err.name : '';
  const the = device === 'camera' ? 'The camera' : 'The microphone';
  const otherwise = `${instead.charAt(0).toUpperCase()}${instead.slice(1)}.`;
  if (name === 'NotAllowedError' || name === 'SecurityError') return `${the} was not allowed. Allow it for this site in the browser’s settings, or ${instead}.`;
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return `No ${device} was found on this device. ${otherwise}`;
  if (name === 'NotReadableError' || name === 'AbortError') return `${the} is in use by another app or could not start. Close the other app and try again.`;
  return `${the} could not be started${name ? ` (${name})` : ''}. ${otherwise}`;
}
