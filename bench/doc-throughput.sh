#!/usr/bin/env bash
# Loader and emitter throughput of lib/doc on a large generated YAML file
# (realistic tenant manifests: quotas, deployments with env and block
# scalars, CRs). Usage: bench/doc-throughput.sh [MEGABYTES] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-10}
rounds=${2:-5}
scripts/build build
input=$(mktemp --suffix=.yaml)
trap 'rm -f "$input"' EXIT
python3 - "$mb" >"$input" <<'PY'
import sys
target = int(sys.argv[1]) * 1000 * 1000
out, n, i = sys.stdout, 0, 0
while n < target:
    doc = f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: trainer-{i}
  namespace: team-{i % 97}
  labels: {{app: trainer-{i}, tier: "gpu", tend.dev/project: team-{i % 97}}}
  annotations:
    description: "Distributed training job number {i} for the shared research cluster, with a long description"
spec:
  replicas: {i % 5}
  selector:
    matchLabels:
      app: trainer-{i}
  template:
    metadata:
      labels:
        app: trainer-{i}
    spec:
      containers:
      - name: main
        image: registry.local/lab/trainer:v{i % 13}.{i % 7}
        args: ["--epochs", "{i % 100}", "--lr", "0.0003", "--resume=yes"]
        env:
        - name: CONFIG
          value: |
            batch: 256
            precision: bf16
            seed: {i}
        - name: OMP_NUM_THREADS
          value: "8"
        resources:
          limits:
            nvidia.com/gpu: {1 + i % 8}
            memory: 64Gi
          requests:
            cpu: 7500m
---
apiVersion: v1
kind: ResourceQuota
metadata:
  name: compute-{i}
  namespace: team-{i % 97}
spec:
  hard:
    requests.nvidia.com/gpu: "{i % 16}"
    limits.memory: 512Gi
    pods: 100
"""
    out.write(doc)
    n += len(doc)
    i += 1
PY
./build/bench/doc-throughput "$input" "$rounds"
