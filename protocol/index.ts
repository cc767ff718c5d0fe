export * from './version.js';
export * from './agent.schema.js';
export * from './hub-replies.schema.js';
export * from './live.schema.js';
export * from './api.types.js';
