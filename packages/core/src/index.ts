export * from './catalog/index.js';
export * from './documents/index.js';
export * from './enrollment/index.js';
export * from './hash/index.js';
export * from './model.js';
export * from './policy/index.js';
export * from './report/index.js';
export * from './rules/index.js';
