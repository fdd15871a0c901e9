#!/usr/bin/env bash
# A sweep as a Slurm job array: array task I of N runs shard I/N of the sweep on the cores Slurm
# gives the task, and writes its cells' JSON lines to a file of its own. Everything after the
# script's name is passed to `np-playground sweep` as it is (the config, --grid, --rules, --seeds,
# --steps, --metric); this script adds --shard and --jobs.
#
#   sbatch --array=1-8 --cpus-per-task=4 scripts/slurm-sweep.sh \
#       'v=1&data=spiral&hidden=16,16&rule=np' --grid lr=0.003,0.01,0.03 --grid sigma=0.001,0.01,0.1 \
#       --rules np,bp --seeds 1,2,3 --steps 3000
#   # once every task is done (or chain it: sbatch --dependency=afterok:<job id> ...):
#   np-playground sweep --merge sweep-<job id>/shard-*.jsonl > sweep.jsonl
#
# The array must be contiguous (1-8 or 0-7, no step): task I is shard I - min + 1 of count.
# NP_PLAYGROUND names the binary (default: np-playground on PATH, else target/release/np-playground
# in the submit directory); SWEEP_OUT the folder of the shards (default: sweep-<array job id>).
# A data=mnist sweep reads www/data/mnist.bin in the submit directory, or $NP_MNIST.
#SBATCH --job-name=np-sweep
#SBATCH --output=np-sweep-%A-%a.log
set -euo pipefail

: "${SLURM_ARRAY_TASK_ID:?not a job array task: submit with sbatch --array=1-N $0 ...}"
min=${SLURM_ARRAY_TASK_MIN:-1}
max=${SLURM_ARRAY_TASK_MAX:-$SLURM_ARRAY_TASK_ID}
count=${SLURM_ARRAY_TASK_COUNT:-$((max - min + 1))}
if [ "$count" -ne $((max - min + 1)) ]; then
  echo "error: the array $min-$max has $count tasks: give a contiguous array (e.g. --array=1-$count), one task per shard" >&2
  exit 2
fi
shard=$((SLURM_ARRAY_TASK_ID - min + 1))

cd "${SLURM_SUBMIT_DIR:-.}"
bin=${NP_PLAYGROUND:-}
if [ -z "$bin" ]; then
  bin=$(command -v np-playground || echo target/release/np-playground)
fi
out=${SWEEP_OUT:-sweep-${SLURM_ARRAY_JOB_ID:-local}}
mkdir -p "$out"
file="$out/shard-$shard-of-$count.jsonl"
# Written beside the final name and renamed when the shard is complete, so a merge never takes a
# shard that is still running (it would refuse its missing cells anyway, naming them).
"$bin" sweep "$@" --shard "$shard/$count" --jobs "${SLURM_CPUS_PER_TASK:-1}" > "$file.part"
mv "$file.part" "$file"
echo "shard $shard/$count: $(wc -l < "$file") cells in $file" >&2
