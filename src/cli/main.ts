#!/usr/bin/env -S node --max-semi-space-size=4
// --max-semi-space-size=4: V8's young generation stops at 2 × 4 MiB instead of 2 × 16 MiB. A burst of adds grew it
// to 32 MiB that stayed resident: 3.2 KiB of the daemon's 5.9 KiB per torrent at 10,000 torrents. The peer path
// allocates its blocks outside the V8 heap, and a 1 GiB transfer spent the same CPU with it (3.22-3.39 s against
// 3.30-3.37 s for the leecher, three runs each).
//
// The tandem executable: it runs the bundle of the command line (run.ts and all it may load, made by
// scripts/build-cli.mjs at build time), one file, so tandem starts fast and within MIN_DESCRIPTORS file descriptors.
import { fileURLToPath } from 'node:url';
import { runBundle } from './bundle-loader.js';

runBundle(fileURLToPath(new URL('./tandem.cjs', import.meta.url)));
