#!/usr/bin/env node
// The command is compiled to dist/ by `npm install` (the workspace's prepare script) or on publish.
import { main } from '../dist/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // main() already reports user errors; this is a bug in the tool itself.
    console.error(`retro-sprites: internal error: ${err && err.message ? err.message : err}`);
    process.exitCode = 70;
  },
);
