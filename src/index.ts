/** The public API of the `lookout` package: run the server in-process, configure it, and send events. */
export { startServer, storeUrl } from './server.js';
export type { Server, ServerOptions } from './server.js';
export { defaultConfig, loadConfig, DEFAULT_PORT } from './config.js';
export type { LookoutConfig, ModelConfig } from './config.js';
export { openStore } from './storage/open.js';
export type { StorageBackend } from './storage/backend.js';
export { LookoutClient, LookoutClientError } from './client/index.js';
export type { ClientEvent, ClientOptions, ClientStats } from './client/index.js';
export { ApiError, ERROR_STATUS } from './http/errors.js';
export type { ErrorCode } from './http/errors.js';
