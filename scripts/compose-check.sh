#!/usr/bin/env bash
# Validates docker-compose.yml as Debian's docker-compose 1.29 reads it, and the files it mounts
# for Grafana and VictoriaMetrics (deploy/): they parse, the dashboards use only provisioned data
# sources, every image is pinned. Needs no Docker engine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v docker-compose >/dev/null 2>&1 \
  || { echo "compose-check: docker-compose is not installed (apt-get install docker-compose)" >&2; exit 1; }
docker-compose -f docker-compose.yml config -q
echo "docker-compose.yml is valid"
# The scale-out override (N brokers behind HAProxy, README "Scaling out") on top of it.
docker-compose -f docker-compose.yml -f docker-compose.scale.yml config -q
echo "docker-compose.yml + docker-compose.scale.yml is valid"

# PyYAML comes with Debian's docker-compose (python3-yaml).
python3 - <<'PY'
import glob, json, sys
import yaml

problems = []
compose = yaml.safe_load(open("docker-compose.yml"))
services = compose["services"]
for name, service in services.items():
    image = service.get("image", "")
    if "build" not in service and (":" not in image or image.endswith(":latest")):
        problems.append(f"service {name}: image {image!r} is not pinned to a version")
for name in ("grafana", "victoria-metrics"):
    if name not in services:
        problems.append(f"no {name} service")

def mounts(service):
    """Host path -> container path of a service's bind mounts."""
    out = {}
    for volume in services.get(service, {}).get("volumes", []):
        parts = volume.split(":")
        if parts[0].startswith("./"):
            out[parts[0]] = parts[1]
    return out

for service in ("grafana", "victoria-metrics"):
    for host in mounts(service):
        if not glob.glob(host):
            problems.append(f"service {service} mounts {host}, which does not exist")

def load(path):
    try:
        with open(path) as f:
            return json.load(f) if path.endswith(".json") else yaml.safe_load(f)
    except Exception as err:  # noqa: BLE001 - any parse failure is the finding
        problems.append(f"{path} does not parse: {err}")
        return None

datasources = set()
for path in sorted(glob.glob("deploy/grafana/provisioning/datasources/*.yml")):
    for ds in (load(path) or {}).get("datasources", []):
        datasources.add(ds.get("uid"))
if not datasources:
    problems.append("no provisioned Grafana data source")

grafana_mounts = mounts("grafana")
dashboard_dir = grafana_mounts.get("./deploy/grafana/dashboards")
for path in sorted(glob.glob("deploy/grafana/provisioning/dashboards/*.yml")):
    for provider in (load(path) or {}).get("providers", []):
        if provider.get("options", {}).get("path") != dashboard_dir:
            problems.append(f"{path}: provider {provider.get('name')} reads {provider.get('options', {}).get('path')}, but deploy/grafana/dashboards is mounted at {dashboard_dir}")

dashboards = sorted(glob.glob("deploy/grafana/dashboards/*.json"))
if not dashboards:
    problems.append("no dashboard in deploy/grafana/dashboards")
for path in dashboards:
    dashboard = load(path)
    if dashboard is None:
        continue
    used = [p.get("datasource", {}).get("uid") for p in dashboard.get("panels", []) if p.get("type") != "row"]
    used += [t["datasource"]["uid"] for p in dashboard.get("panels", []) for t in p.get("targets", [])]
    used += [v["datasource"]["uid"] for v in dashboard.get("templating", {}).get("list", []) if "datasource" in v]
    for uid in sorted(set(used) - datasources):
        problems.append(f"{path} uses data source {uid!r}, which is not provisioned")

for path in sorted(glob.glob("deploy/victoria-metrics/*.yml")):
    load(path)

if problems:
    print("compose-check:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"Grafana and VictoriaMetrics provisioning is valid ({len(dashboards)} dashboard(s), data sources {', '.join(sorted(datasources))})")
PY
