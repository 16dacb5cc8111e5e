export * from './agent.js';
export * from './signing.js';
