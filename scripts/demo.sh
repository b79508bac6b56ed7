#!/usr/bin/env bash
# npm run demo: the 8-node lab, the cluster playbook on it, then the cluster's status and HTTPS through the LB.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-packages.sh
sp() { node bin/stackplay.js "$@"; }

echo "== stackplay lab up --nodes 8"
sp lab up --nodes 8
echo "== stackplay inventory --graph"
sp inventory -i inventory/lab.ini --graph
echo "== stackplay run playbooks/cluster.yml --check (plan only)"
sp run playbooks/cluster.yml -i inventory/lab.ini --check --output plain | tail -n 12
echo "== stackplay run playbooks/cluster.yml"
sp run playbooks/cluster.yml -i inventory/lab.ini
echo "== second run: nothing to change"
sp run playbooks/cluster.yml -i inventory/lab.ini --output plain | tail -n 10
echo "== HTTPS through the load balancer (4 requests, round-robin over the routers)"
for i in 1 2 3 4; do
  ip netns exec sp-lb1 curl -sk --max-time 5 https://10.77.0.18/ || echo "(no answer)"
done
echo
echo "The lab stays up: try 'npx stackplay run playbooks/add-dea.yml -i inventory/lab.ini' or 'npx stackplay lab down'."
