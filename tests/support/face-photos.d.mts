// Types of face-photos.mjs.
export function smilingPerson(): Promise<Buffer>;
export function threePeople(): Promise<Buffer>;
export function noFace(): Promise<Buffer>;
export function manAtTable(): Promise<Buffer>;
