export * from './version.js';
export * from './agent.schema.js';
export * from './hub-replies.schema.js';
export * from './live.schema.js';
export * from './api.types.js';
export * from './alerts.schema.js';
export * from './kiosk.schema.js';
export * from './text.schema.js';
