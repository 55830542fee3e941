"""check.py — deploy/ renders the same with tend and kubectl, every object
is valid against the Kubernetes schemas, the Deployment is production-shaped,
tend.yaml loads, the ClusterRole covers what the example repo renders and no
more than that, and the Containerfile names packages Debian 12 has."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

root, tend, shared = sys.argv[1:4]
sys.path.insert(0, os.path.join(root, "tests", "platform", "lib"))
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("PASS " + name)
    else:
        failed += 1
        print("FAIL " + name + ("\n  " + detail.replace("\n", "\n  ") if detail else ""))


def run(*args, cwd=root):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True)


deploy = os.path.join(root, "deploy")
mine = run(tend, "render", deploy)
theirs = run("kubectl", "kustomize", deploy)
check("tend render deploy succeeds", mine.returncode == 0, mine.stderr)
check("kubectl kustomize deploy succeeds", theirs.returncode == 0, theirs.stderr)
check("tend render deploy equals kubectl kustomize deploy byte for byte",
      mine.stdout == theirs.stdout and mine.stdout != "")
objs = [o for o in yaml.safe_load_all(theirs.stdout) if o]
by_kind = {}
for o in objs:
    by_kind.setdefault(o["kind"], []).append(o)
check("kinds: Namespace, ServiceAccount, ClusterRole(Binding), Role(Binding), ConfigMap, Deployment, Service",
      all(k in by_kind for k in ["Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
                                 "Role", "RoleBinding", "ConfigMap", "Deployment", "Service"]),
      str(sorted(by_kind)))

if os.path.isdir(os.path.join(shared, "openapi")):
    import kschema
    v = kschema.Validator(shared)
    errs = []
    for o in objs:
        errs += ["%s/%s: %s" % (o["kind"], o["metadata"]["name"], e) for e in v.errors(o)]
    check("every object is valid against the Kubernetes 1.32 OpenAPI schemas", not errs, "\n".join(errs))
else:
    print("SKIP LOUDLY: no %s/openapi: the schema validation of deploy/ did not run" % shared)

dep = by_kind.get("Deployment", [{}])[0]
spec = dep.get("spec", {}).get("template", {}).get("spec", {})
c = (spec.get("containers") or [{}])[0]
cm = by_kind.get("ConfigMap", [{}])[0]
check("Deployment: liveness /healthz, readiness /readyz, requests and a memory limit",
      c.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/healthz"
      and c.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/readyz"
      and c.get("resources", {}).get("requests", {}).get("memory")
      and c.get("resources", {}).get("limits", {}).get("memory"), str(c))
check("Deployment: non-root, read-only root filesystem, no capabilities, --leader-elect",
      spec.get("securityContext", {}).get("runAsNonRoot") is True
      and c.get("securityContext", {}).get("readOnlyRootFilesystem") is True
      and c.get("securityContext", {}).get("capabilities", {}).get("drop") == ["ALL"]
      and "--leader-elect" in c.get("args", []))
vols = {x["name"]: x for x in spec.get("volumes", [])}
mounts = {m["name"]: m["mountPath"] for m in c.get("volumeMounts", [])}
args = c.get("args", [])
cfg_path = args[args.index("-c") + 1] if "-c" in args else ""
check("Deployment mounts the generated ConfigMap where -c points",
      vols.get("config", {}).get("configMap", {}).get("name") == cm.get("metadata", {}).get("name")
      and cfg_path == mounts.get("config", "") + "/tend.yaml", "%s %s" % (cfg_path, mounts))
svc = by_kind.get("Service", [{}])[0]
check("Service selects the Deployment's pods on the http port",
      svc.get("spec", {}).get("selector") and all(dep["spec"]["template"]["metadata"]["labels"].get(k) == val
          for k, val in svc.get("spec", {}).get("selector", {}).items())
      and svc["spec"]["ports"][0]["targetPort"] == "http")

# tend.yaml loads with tend's own parser (source pointed at a local directory).
with tempfile.TemporaryDirectory() as t:
    text = cm.get("data", {}).get("tend.yaml", "")
    text = re.sub(r"(?m)^  url: .*$", "  url: " + os.path.join(root, "examples"), text)
    text = re.sub(r"(?m)^  cacheDir: .*$", "  cacheDir: " + os.path.join(t, "cache"), text)
    p = os.path.join(t, "tend.yaml")
    with open(p, "w") as f:
        f.write(text)
    r = run(tend, "projects", "-c", p)
    check("deploy/tend.yaml loads with tend's parser", r.returncode in (0, 1) and "error: " + p not in r.stderr,
          r.stderr[-800:])

# The ClusterRole covers every kind the example config repo renders, with
# what sync and drift detection need, and grants nothing with wildcards.
r = run(tend, "render", "-c", os.path.join(root, "examples", "tend.yaml"))
rendered = [o for o in yaml.safe_load_all(r.stdout) if o]
role = by_kind.get("ClusterRole", [{}])[0]
need = {"get", "list", "watch", "create", "patch", "delete"}


def plural(kind):
    k = kind.lower()
    return k[:-1] + "ies" if k.endswith("y") else k + "s"


missing = []
for o in rendered:
    group = o["apiVersion"].rpartition("/")[0]
    res = plural(o["kind"])
    verbs = set()
    for rule in role.get("rules", []):
        if group in rule.get("apiGroups", []) and res in rule.get("resources", []):
            verbs |= set(rule.get("verbs", []))
    if not need <= verbs:
        missing.append("%s %s: has %s" % (group or "core", res, sorted(verbs)))
check("ClusterRole covers every kind examples/ renders (%d objects)" % len(rendered),
      rendered and not missing, "\n".join(sorted(set(missing))))
wild = [rule for rule in role.get("rules", []) if "*" in sum((rule.get(k, []) for k in
        ("apiGroups", "resources", "verbs")), [])]
check("ClusterRole has no wildcards", not wild, str(wild))
refs = {o["roleRef"]["name"] for o in rendered if o["kind"] in ("RoleBinding", "ClusterRoleBinding")
        and o["roleRef"]["kind"] == "ClusterRole"}
binds = set()
for rule in role.get("rules", []):
    if "bind" in rule.get("verbs", []):
        binds |= set(rule.get("resourceNames", []))
check("ClusterRole may bind exactly the ClusterRoles the example RoleBindings name",
      refs == binds, "named %s, bindable %s" % (sorted(refs), sorted(binds)))

# deploy/clusterrole.yaml is `tend rbac` for the example repo: one source.
r = run(tend, "rbac", "-c", os.path.join(root, "examples", "tend.yaml"))
shipped = open(os.path.join(deploy, "clusterrole.yaml")).read()
check("deploy/clusterrole.yaml is `tend rbac -c examples/tend.yaml` (print it again after a change)",
      r.returncode == 0 and r.stdout == shipped, r.stderr[-400:] or "they differ")
want = {("apps", "deployments"), ("", "services"), ("batch", "jobs"), ("", "persistentvolumeclaims"),
        ("", "secrets"), ("batch", "cronjobs"), ("apps", "statefulsets"), ("policy", "poddisruptionbudgets")}
have = {(g, res) for rule in role.get("rules", []) if "patch" in rule.get("verbs", [])
        for g in rule.get("apiGroups", []) for res in rule.get("resources", [])}
check("ClusterRole covers the workload kinds tenants may use (Deployment, Job, Secret, PVC...)",
      want <= have, "missing %s" % sorted(want - have))
risky = [rule for rule in role.get("rules", []) if {"impersonate", "escalate"} & set(rule.get("verbs", []))
         or any("/token" in res for res in rule.get("resources", []))
         or ("bind" in rule.get("verbs", []) and not rule.get("resourceNames"))]
check("ClusterRole: no impersonate, escalate or token creation; bind only on named roles", not risky, str(risky))

# The Containerfile: two stages on Debian 12, runtime packages that exist.
cf = open(os.path.join(deploy, "Containerfile")).read()
froms = re.findall(r"(?m)^FROM (\S+)", cf)
check("Containerfile: multi-stage on Debian 12", len(froms) == 2 and all(f.startswith("debian:12") for f in froms),
      str(froms))
if shutil.which("apt-cache"):
    runtime = cf.split("FROM ")[2]
    pkgs = [p for p in re.findall(r"\b(lib[a-z0-9.+-]+|ca-certificates)\b", runtime) if p != "libs"]
    absent = [p for p in pkgs if run("apt-cache", "show", p).returncode != 0]
    check("Containerfile runtime packages exist in Debian 12 (%d)" % len(pkgs), pkgs and not absent, str(absent))
else:
    print("SKIP LOUDLY: no apt-cache: the Containerfile's packages were not checked")

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
