// Sweeps beyond one machine (issue 19): the GNU parallel recipe of docs/sweeps.md (the README
// points there), run as written with two shards, and the Slurm array script run as two array
// tasks would run it; each merged with `np-playground sweep --merge` and checked against the
// unsharded sweep, cell for cell. Needs `cargo build --release --bin np-playground` and Debian's
// `parallel` (scripts/lib.sh: need_parallel).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const BIN_DIR = join(ROOT, 'target/release');
const env = { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` };
let dir;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'np-sweep-parallel-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const sh = (script, cwd = dir, extra = {}) =>
  execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd, env: { ...env, ...extra }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The first ```sh block after `heading` in docs/sweeps.md. */
function recipe(heading) {
  const md = readFileSync(join(ROOT, 'docs/sweeps.md'), 'utf8');
  const at = md.indexOf(heading);
  assert.ok(at >= 0, `docs/sweeps.md has "${heading}"`);
  const m = md.slice(at).match(/```sh\n([\s\S]*?)```/);
  assert.ok(m, `a sh block after "${heading}"`);
  return m[1];
}

/** Cell by cell: the same cells, in the same order, each the same line. */
function sameCells(merged, whole, what) {
  const a = merged.trim().split('\n');
  const b = whole.trim().split('\n');
  assert.equal(a.length, b.length, `${what}: as many cells as the unsharded sweep`);
  for (let i = 0; i < b.length; i++) {
    const x = JSON.parse(a[i]);
    const y = JSON.parse(b[i]);
    assert.equal(x.cell, i, `${what}: line ${i + 1} is cell ${i}`);
    assert.equal(x.config, y.config, `${what}: cell ${i}'s config`);
    assert.equal(x.checksum, y.checksum, `${what}: cell ${i}'s checksum`);
    assert.equal(a[i], b[i], `${what}: cell ${i}'s line`);
  }
  assert.equal(merged, whole, `${what}: byte for byte`);
}

test('the README\'s GNU parallel recipe with two shards merges to the unsharded sweep', () => {
  execFileSync('parallel', ['--version'], { stdio: 'ignore' }); // installed (scripts/lib.sh: need_parallel)
  const script = recipe('### GNU parallel, on this machine');
  assert.match(script, /^N=4$/m, 'the recipe sets N');
  assert.match(script, /parallel --jobs "\$N"/);
  assert.match(script, /--shard \{\}\/\$N/);
  // The README shows the same recipe (its comment line aside).
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  for (const line of script.trim().split('\n').filter((l) => !l.startsWith('#'))) {
    assert.ok(readme.includes(line), `README.md has the recipe's line ${line}`);
  }
  const two = script.replace(/^N=4$/m, 'N=2');
  sh(two);
  const shards = readFileSync(join(dir, 'shards.jsonl'), 'utf8');
  const merged = readFileSync(join(dir, 'sweep.jsonl'), 'utf8');
  // The unsharded sweep of the recipe's own config and grid.
  const config = script.match(/^CONFIG='(.*)'$/m)[1];
  const grid = script.match(/^GRID='(.*)'$/m)[1];
  const whole = sh(`np-playground sweep '${config}' ${grid}`);
  assert.equal(whole.trim().split('\n').length, 18, 'two rules x 3 x 3');
  // Both shards ran: their cells are the two halves (odd and even cells).
  const ids = shards.trim().split('\n').map((l) => JSON.parse(l).cell);
  assert.deepEqual([...ids].sort((a, b) => a - b), [...Array(18).keys()]);
  sameCells(merged, whole, 'the merge');
});

test('the Slurm array script runs shard I of N for array task I, and the shards merge to the sweep', () => {
  const args = ["'v=1&data=xor&hidden=8,8&rule=np'", '--grid lr=0.003,0.03', '--grid sigma=0.001,0.1', '--rules np,bp', '--seeds 1,2', '--steps 200'];
  const whole = sh(`np-playground sweep ${args.join(' ')}`);
  const slurm = join(ROOT, 'scripts/slurm-sweep.sh');
  // Tasks 3 and 4 of the array 3-4 (shards 1/2 and 2/2), in the submit directory.
  for (const task of ['4', '3']) {
    sh(`bash ${slurm} ${args.join(' ')}`, dir, {
      SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_MIN: '3', SLURM_ARRAY_TASK_MAX: '4', SLURM_ARRAY_TASK_COUNT: '2',
      SLURM_ARRAY_JOB_ID: '77', SLURM_CPUS_PER_TASK: '2', SLURM_SUBMIT_DIR: dir,
    });
  }
  const files = readdirSync(join(dir, 'sweep-77')).sort();
  assert.deepEqual(files, ['shard-1-of-2.jsonl', 'shard-2-of-2.jsonl']);
  const first = readFileSync(join(dir, 'sweep-77', files[0]), 'utf8').trim().split('\n').map((l) => JSON.parse(l).cell);
  assert.deepEqual(first, [0, 2, 4, 6, 8, 10, 12, 14], 'shard 1/2: every other cell from the first');
  const merged = sh('np-playground sweep --merge sweep-77/shard-*.jsonl');
  sameCells(merged, whole, 'the Slurm shards');
  // Outside an array, and with a non-contiguous array, the script refuses and says why.
  assert.throws(() => sh(`bash ${slurm} ${args.join(' ')}`), /not a job array task/);
  assert.throws(
    () => sh(`bash ${slurm} ${args.join(' ')}`, dir, { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '9', SLURM_ARRAY_TASK_COUNT: '5' }),
    /give a contiguous array/,
  );
});
