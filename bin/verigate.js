#!/usr/bin/env node
// Runs the TypeScript CLI straight from the checkout (`npx verigate ...`), no build step.
require('tsx/cjs');
require('../src/cli.ts');
