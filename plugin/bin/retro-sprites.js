#!/usr/bin/env node
// The command is compiled and bundled to dist/bundle/ by `npm install` (the workspace's prepare
// script) or on publish (scripts/bundle.mjs says why it is one bundle).
import { main } from '../dist/bundle/main.js';

// `retro-sprites check | head`: the reader has gone, which is not an error of ours. The run goes on
// (a generate must still save what it paid for); only its output is dropped.
process.stdout.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err) => {
    // main() already reports user errors; this is a bug in the tool itself.
    console.error(`retro-sprites: internal error: ${err && err.message ? err.message : err}`);
    process.exitCode = 70;
  },
);
