export * from './model.js';
export * from './rules/index.js';
