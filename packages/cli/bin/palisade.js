#!/usr/bin/env -S node --max-semi-space-size=64
// Launcher kept in the repository so npm links the command at install time, before the build.
// --max-semi-space-size=64: a young generation of up to 64 MB, not V8's 16 MB, for `palisade
// serve`: every young-generation collection costs a few milliseconds on a large fleet's heap
// (the scavenger visits every old-generation page), and a check-in that meets one waits that
// long; four times fewer of them keep one facts change → current under 5 ms at the 99th
// percentile (packages/bench/README.md). The root package.json's `start` and the benchmarks'
// servers (packages/bench/src/bench/server-processes.ts) start it the same way.
await import('../dist/main.js');
