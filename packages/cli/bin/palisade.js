#!/usr/bin/env node
// Launcher kept in the repository so npm links the command at install time, before the build.
await import('../dist/main.js');
