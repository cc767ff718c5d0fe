/**
 * The benchmark runner: `npm run bench [-- --quick] [-- --only=ingest] [bench options]`.
 * Pins itself (the load generators run in this process) to core 1, runs each
 * benchmark in BENCHES, prints a table and writes bench/results/latest.json.
 * Servers under test are children pinned to core 0; they are killed and their
 * databases dropped on exit, error or ctrl-c.
 */
import { fileURLToPath } from 'node:url';
import { agentBench } from './agent.bench.js';
import { clientBench } from './client.bench.js';
import { ingestBench } from './ingest.bench.js';
import { usageBench } from './usage.bench.js';
import { queueBench } from './queue.bench.js';
import { soakBench } from './soak.bench.js';
import { clusterBench } from './cluster.bench.js';
import { runCleanups } from './lib/cleanup.js';
import { GENERATOR_CORE, killAllChildren, pinSelf } from './lib/proc.js';
import { formatTable, newResults, writeResults, type Bench, type BenchContext } from './lib/report.js';

/** Every benchmark, in the order they run. */
const BENCHES: Bench[] = [ingestBench, queueBench, usageBench, agentBench, clientBench, clusterBench, soakBench];

const RESULTS = fileURLToPath(new URL('./results/latest.json', import.meta.url));

async function main(): Promise<number> {
  const argv = process.argv.slice(2).filter((a) => a !== '--');
  const quick = argv.includes('--quick');
  const only = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const benches = only ? BENCHES.filter((b) => only.includes(b.name)) : BENCHES.filter((b) => !b.optIn);
  if (benches.length === 0) { console.error(`no benchmark named ${only?.join(', ')}; have ${BENCHES.map((b) => b.name).join(', ')}`); return 2; }

  try { pinSelf(GENERATOR_CORE); } catch (e) { console.error(`warning: could not pin to core ${GENERATOR_CORE}: ${(e as Error).message}`); }
  const t0 = performance.now();
  const results = newResults(quick);
  const notes: string[] = [];
  const ctx: BenchContext = {
    quick, argv,
    log: (m) => process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1).padStart(6)}s ${m}\n`),
    note: (m) => { notes.push(m); ctx.log(`note: ${m}`); },
  };
  let failed = false;
  for (const b of benches) {
    ctx.log(`== ${b.name}${quick ? ' (quick)' : ''}`);
    try {
      const figures = await b.run(ctx);
      for (const f of figures) {
        if (Number.isFinite(f.value)) results.figures.push(f);
        else notes.push(`${f.name}: not measured`);
      }
    } catch (e) {
      failed = true;
      notes.push(`${b.name} failed: ${(e as Error).message}`);
      ctx.log(`${b.name} failed: ${(e as Error).stack ?? e}`);
    }
  }
  results.durationS = Math.round((performance.now() - t0) / 100) / 10;
  if (notes.length) results.notes = notes;
  await writeResults(RESULTS, results);

  console.log(`\nRackpulse benchmarks — ${results.at}, node ${results.node}, ${results.cpus} CPUs${quick ? ', quick' : ''}, ${results.durationS} s\n`);
  console.log(formatTable(results.figures));
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwritten to ${RESULTS}`);
  return failed ? 1 : 0;
}

let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    killAllChildren();
    await runCleanups();
  }
  process.exit(code);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    process.stderr.write(`\n${sig}: stopping servers and dropping bench databases\n`);
    void shutdown(130);
  });
}

main().then((code) => shutdown(code), (e) => { console.error(e); return shutdown(1); });
