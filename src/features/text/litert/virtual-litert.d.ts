// The LiteRT.js wasm loaders as ES modules (scripts/lib/litert-plugin.mjs).
declare module 'virtual:litert-factory/plain' {
  const factory: (module: object) => Promise<unknown>;
  export default factory;
}
declare module 'virtual:litert-factory/threaded' {
  const factory: (module: object) => Promise<unknown>;
  export default factory;
}
declare module 'virtual:litert-version' {
  /** The installed @litertjs/core's version. */
  const version: string;
  export default version;
}
