// Blob <-> data: URL, for pictures sent to the vision API and thumbnails in history exports.

/** A Blob as a base64 data: URL of its type (`fallbackType` when it has none). */
export async function blobToDataUrl(blob: Blob, fallbackType = 'image/jpeg'): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return `data:${blob.type || fallbackType};base64,${btoa(binary)}`;
}

/** A base64 data: URL back as a Blob. */
export function dataUrlToBlob(url: string): Blob {
  const comma = url.indexOf(',');
  const type = url.slice(0, comma).match(/^data:([^;,]+)/u)?.[1] ?? 'application/octet-stream';
  const binary = atob(url.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type });
}
