#!/usr/bin/env node
/**
 * Runs every uvu test file and ends with `tests: N passed, N failed`.
 * uvu 0.5 exits 0 when a suite's `before` hook throws (its tests are neither
 * passed nor failed), so this counts Total − Passed − Skipped as failed and
 * exits 1 when any is.
 */
import { spawn } from 'node:child_process';

const args = ['node_modules/uvu/bin.js', '-r', 'tsx', 'tests', process.argv[2] ?? '\\.test\\.ts$'];
const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env } });
let out = '';
child.stdout.on('data', (d) => { process.stdout.write(d); out += d.toString(); });
child.on('close', (code) => {
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const num = (label) => Number((plain.match(new RegExp(`^\\s*${label}:\\s*(\\d+)`, 'm')) ?? [])[1] ?? 0);
  const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
  let failed = total - passed - skipped;
  if (failed === 0 && (code !== 0 || total === 0)) failed = 1; // a crash before any count, or no test ran
  if (total > passed + skipped && code === 0) console.log('\nSome suites did not run their tests (a `before` hook failed): counted as failed.');
  console.log(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
});
