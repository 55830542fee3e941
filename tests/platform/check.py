"""check.py — the platform bundle's tests (see README.md beside this file).

usage: check.py REPO_ROOT TEND_BINARY SHARED_DIR
       check.py REPO_ROOT - - --kueue-table   (print docs/admins.md's queue tables)

Prints one line per check (PASS/FAIL/SKIP name: reason) and ends with
"N passed, M failed" (", K skipped" when K > 0). Exit status 0 iff nothing
failed.
"""
import json
import os
import re
import subprocess
import sys

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import kueue_table  # noqa: E402
import subst  # noqa: E402

ROOT, TEND, SHARED = sys.argv[1], sys.argv[2], sys.argv[3]
EXAMPLES = os.path.join(ROOT, "examples")
CONFIG = os.path.join(EXAMPLES, "tend.yaml")
FIXTURES = os.path.join(ROOT, "tests", "platform", "fixtures")
EXEC_POLICIES = ("restrict-gpu-pod-exec", "restrict-gpu-pod-exec-audit")
GRANTED_ADDONS = ("exec-debug", "extra-editors", "quota-large")
GPU = "nvidia.com/gpu"


class Loader(yaml.SafeLoader):
    """YAML as kubectl means it: a string that looks like a date stays a string."""


Loader.yaml_implicit_resolvers = {
    k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def load_all(text):
    return [d for d in yaml.load_all(text, Loader=Loader) if d is not None]


def load_file(path):
    with open(path) as f:
        return load_all(f.read())


# ---------------------------------------------------------------- reporting
counts = {"PASS": 0, "FAIL": 0, "SKIP": 0}


def report(status, name, why=""):
    counts[status] += 1
    print("%s %s%s" % (status, name, (": " + why) if why else ""), flush=True)


def check(name, problems):
    """PASS when problems is empty, else FAIL with the first few."""
    problems = [p for p in problems if p]
    if problems:
        more = " (+%d more)" % (len(problems) - 3) if len(problems) > 3 else ""
        report("FAIL", name, "; ".join(problems[:3]) + more)
    else:
        report("PASS", name)


def run(cmd, cwd=None):
    p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def first_line(s):
    s = s.strip()
    return s.splitlines()[0] if s else "(no message)"


# ---------------------------------------------------------------- projects
class Project:
    def __init__(self, name, rel, substitute):
        self.name, self.rel, self.substitute = name, rel, substitute
        self.dir = os.path.join(EXAMPLES, rel)
        meta_path = os.path.join(self.dir, "project.yaml")
        self.meta = (load_file(meta_path) or [{}])[0] if os.path.exists(meta_path) else {}
        self.namespace = self.meta.get("namespace", name)
        self.group = self.meta.get("group")
        self.grants = {g["addon"]: g for g in self.meta.get("grants", [])}
        kust = load_file(os.path.join(self.dir, "kustomization.yaml"))[0]
        self.components = [os.path.basename(c.rstrip("/")) for c in kust.get("components", [])]
        self.objects = None  # kubectl kustomize output, substituted

    def variables(self):
        v = {"project": self.name, "namespace": self.namespace, "path": self.rel}
        if self.group:
            v["group"] = self.group
        v.update(self.meta.get("parameters", {}))
        return v

    def expected_queues(self):
        queues = set() if "cpu-only" in self.components else {"any-gpu"}
        return queues | {c for c in self.components if c.startswith("gpu-")}


def discover():
    tenants = sorted(d for d in os.listdir(os.path.join(EXAMPLES, "projects"))
                     if os.path.exists(os.path.join(EXAMPLES, "projects", d, "kustomization.yaml")))
    projects = [Project("platform", "platform", False)]
    projects += [Project(t, "projects/" + t, True) for t in tenants]
    return projects


def render_kubectl(projects):
    for p in projects:
        rc, out, err = run(["kubectl", "kustomize", p.dir])
        if rc != 0:
            report("FAIL", "kubectl kustomize %s" % p.rel, first_line(err))
            continue
        objs = load_all(out)
        if p.substitute:
            try:
                objs = subst.substitute(objs, p.variables())
            except subst.UnknownVariable as e:
                report("FAIL", "kubectl kustomize %s" % p.rel, "unknown variable ${%s}" % e)
                continue
        p.objects = objs
        report("PASS", "kubectl kustomize %s (%d objects)" % (p.rel, len(objs)))


# ---------------------------------------------------------------- parity
def diff_objects(want, got):
    if len(want) != len(got):
        return ["%d objects, kubectl has %d" % (len(got), len(want))]
    for i, (w, g) in enumerate(zip(want, got)):
        if w != g:
            ident = "%s/%s" % (w.get("kind"), (w.get("metadata") or {}).get("name"))
            return ["object %d (%s) differs: tend %s" % (i, ident, json.dumps(g)[:160])]
    return []


def test_parity(projects):
    rc, out, err = run([TEND, "projects", "-c", CONFIG])
    names = [ln.split()[0] for ln in out.splitlines()[1:] if ln.strip()]
    check("tend projects -c examples/tend.yaml finds every example project",
          ["exit %d: %s" % (rc, first_line(err))] if rc else
          ([] if sorted(names) == sorted(p.name for p in projects)
           else ["found %s" % names]))
    for p in projects:
        name = "tend render -c examples/tend.yaml %s equals kubectl kustomize%s" % (
            p.name, " + substitution" if p.substitute else "")
        if p.objects is None:
            report("FAIL", name, "kubectl could not render it")
            continue
        rc, out, err = run([TEND, "render", "-c", CONFIG, "-o", "json", p.name])
        if rc != 0:
            report("FAIL", name, first_line(err))
            continue
        dec, pos, got = json.JSONDecoder(), 0, []
        while pos < len(out):
            while pos < len(out) and out[pos].isspace():
                pos += 1
            if pos >= len(out):
                break
            doc, pos = dec.raw_decode(out, pos)
            got.append(doc["object"])
        check(name, diff_objects(p.objects, got))
    # Without substitution the YAML must match byte for byte.
    for rel in ("base/platform", "base/project", "examples/platform"):
        d = os.path.join(ROOT, rel)
        rc1, want, err1 = run(["kubectl", "kustomize", d])
        rc2, got, err2 = run([TEND, "render", d])
        name = "tend render %s is byte-identical to kubectl kustomize" % rel
        if rc1 or rc2:
            report("FAIL", name, first_line(err2 or err1))
        else:
            check(name, [] if want == got else ["output differs (%d vs %d bytes)" %
                                                (len(got), len(want))])


def test_substitution(projects):
    """Substitution as documented: ${group} binds the tenant's group, nothing is left over,
    and a project without a group is refused by tend and by the documented rule alike."""
    for p in projects:
        if not p.substitute or p.objects is None:
            continue
        text = json.dumps(p.objects)
        problems = ["unsubstituted %s" % m for m in set(re.findall(r"\$\{[^}]*\}", text))]
        rb = {o["metadata"]["name"]: o for o in p.objects if o["kind"] == "RoleBinding"}
        for rb_name, role, group in (("tenant-admins", "admin", p.group + "-admins"),
                                     ("tenant-editors", "edit", p.group),
                                     ("tenant-viewers", "view", p.group + "-viewers")):
            b = rb.get(rb_name)
            if not b or b["roleRef"]["name"] != role or [s["name"] for s in b["subjects"]] != [group]:
                problems.append("%s does not bind %s to group %s" % (rb_name, role, group))
        check("substitution %s: ${group}=%s in every RoleBinding, no ${...} left" %
              (p.name, p.group), problems)
    cfg = os.path.join(FIXTURES, "config", "tend.yaml")
    rc, out, err = run([TEND, "render", "-c", cfg, "no-group"])
    check("tend refuses a project whose project.yaml has no group (unknown ${group})",
          [] if rc != 0 and "${group}" in err and not out.strip()
          else ["exit %d, stderr %r" % (rc, first_line(err))])
    try:
        rc, out, _ = run(["kubectl", "kustomize", os.path.join(FIXTURES, "config", "no-group")])
        subst.substitute(load_all(out), {"project": "no-group", "namespace": "no-group",
                                         "path": "no-group"})
        report("FAIL", "the documented substitution refuses an unknown ${group}", "it did not")
    except subst.UnknownVariable:
        report("PASS", "the documented substitution refuses an unknown ${group}")


# ---------------------------------------------------------------- schemas
def test_schemas(projects):
    if not os.path.isdir(os.path.join(SHARED, "crds")):
        report("SKIP", "schema validation", "no shared data at %s (CI always has it)" % SHARED)
        print("*** SKIPPING schema validation: %s not found ***" % SHARED, flush=True)
        return
    import kschema
    v = kschema.Validator(SHARED)
    for p in projects:
        if p.objects is None:
            continue
        problems = []
        for o in p.objects:
            for e in v.errors(o):
                problems.append("%s/%s %s" % (o["kind"], o["metadata"].get("name"), e))
        check("schema: every object of %s validates (%d objects)" % (p.rel, len(p.objects)),
              problems)
    kinds = sorted({(o["apiVersion"], o["kind"]) for p in projects for o in (p.objects or [])})
    cel = sum(v.cel_rules.get((a.rpartition("/")[0], a.rpartition("/")[2], k), 0)
              for a, k in kinds)
    print("note: %d CEL rules (x-kubernetes-validations) of these kinds are not evaluated; "
          "the Kueue ones that matter are checked below" % cel, flush=True)
    # The validator must fail on broken manifests, each for the reason it names.
    for fname in sorted(os.listdir(os.path.join(FIXTURES, "invalid"))):
        for i, o in enumerate(load_file(os.path.join(FIXTURES, "invalid", fname))):
            expect = o["metadata"]["annotations"].pop("test.tend.dev/expect")
            errs = v.errors(o)
            name = "schema rejects fixtures/invalid/%s#%d (%s)" % (fname, i, expect)
            check(name, [] if any(expect in e for e in errs) else
                  ["errors were %s" % (errs or "none")])


# ---------------------------------------------------------------- semantics
def quantity(s):
    m = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", str(s))
    n, unit = float(m.group(1)), m.group(2)
    mult = {"": 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2 ** 10,
            "Mi": 2 ** 20, "Gi": 2 ** 30, "Ti": 2 ** 40, "Pi": 2 ** 50}[unit]
    return n * mult


def selector_matches(sel, labels):
    if sel is None:
        return False  # Kueue: a null namespaceSelector matches no namespace
    for k, val in (sel.get("matchLabels") or {}).items():
        if labels.get(k) != val:
            return False
    for e in sel.get("matchExpressions") or []:
        k, op, vals = e["key"], e["operator"], e.get("values", [])
        if op == "In" and labels.get(k) not in vals:
            return False
        if op == "NotIn" and k in labels and labels[k] in vals:
            return False
        if op == "Exists" and k not in labels:
            return False
        if op == "DoesNotExist" and k in labels:
            return False
    return True


def by_kind(objs, kind):
    return {o["metadata"]["name"]: o for o in objs if o["kind"] == kind}


def test_kueue(platform):
    flavors = by_kind(platform, "ResourceFlavor")
    cqs = by_kind(platform, "ClusterQueue")
    anyq = cqs.get("any-gpu")
    if not anyq:
        report("FAIL", "kueue: an any-gpu ClusterQueue exists")
        return
    any_flavors = [f["name"] for rg in anyq["spec"]["resourceGroups"] for f in rg["flavors"]]
    check("kueue: every GPU flavor is in any-gpu's resource groups, and only those",
          ["missing %s" % f for f in flavors if f not in any_flavors] +
          ["unknown flavor %s" % f for f in any_flavors if f not in flavors])
    check("kueue: any-gpu owns nothing (nominal quota 0 for every flavor and resource)",
          ["%s %s=%s" % (f["name"], r["name"], r["nominalQuota"])
           for rg in anyq["spec"]["resourceGroups"] for f in rg["flavors"]
           for r in f["resources"] if quantity(r["nominalQuota"]) != 0])
    # Kueue's CEL rule: each flavor lists exactly the covered resources, in order.
    check("kueue: every flavor lists exactly its group's coveredResources (Kueue's CEL rule)",
          ["%s/%s" % (n, f["name"]) for n, cq in cqs.items()
           for rg in cq["spec"]["resourceGroups"] for f in rg["flavors"]
           if [r["name"] for r in f["resources"]] != rg["coveredResources"]])
    cohorts = {cq["spec"].get("cohortName") for cq in cqs.values()}
    check("kueue: every ClusterQueue is in one cohort", [] if len(cohorts) == 1 and None not in
          cohorts else ["cohorts %s" % cohorts])
    owners, problems, cohort_gpus, inventory_gpus = {}, [], 0, 0
    for n, cq in cqs.items():
        if n == "any-gpu":
            continue
        fl = [f for rg in cq["spec"]["resourceGroups"] for f in rg["flavors"]]
        if len(fl) != 1 or "gpu-" + fl[0]["name"] != n:
            problems.append("%s should own exactly the flavor %s" % (n, n[4:]))
            continue
        f = fl[0]
        owners.setdefault(f["name"], []).append(n)
        fo = flavors.get(f["name"])
        if not fo:
            problems.append("%s: no ResourceFlavor %s" % (n, f["name"]))
            continue
        ann = fo["metadata"].get("annotations", {})
        nodes = int(ann.get("platform.tend.dev/nodes", "0"))
        alloc = dict(kv.split("=") for kv in ann.get("platform.tend.dev/node-allocatable",
                                                      "").split(",") if kv)
        for r in f["resources"]:
            want = nodes * quantity(alloc.get(r["name"], "0"))
            if quantity(r["nominalQuota"]) != want or want == 0:
                problems.append("%s %s nominal %s != %d nodes x %s" % (
                    n, r["name"], r["nominalQuota"], nodes, alloc.get(r["name"])))
            if "lendingLimit" in r and quantity(r["lendingLimit"]) == 0:
                problems.append("%s lends no %s: any-gpu could never borrow it" % (n, r["name"]))
            if r["name"] == GPU:
                cohort_gpus += quantity(r["nominalQuota"])
        inventory_gpus += nodes * quantity(alloc.get(GPU, "0"))
        pre = cq["spec"].get("preemption", {})
        if pre.get("reclaimWithinCohort", "Never") == "Never":
            problems.append("%s cannot reclaim lent GPUs (reclaimWithinCohort Never)" % n)
        if [rg["coveredResources"] for rg in cq["spec"]["resourceGroups"]] != \
                [rg["coveredResources"] for rg in anyq["spec"]["resourceGroups"]]:
            problems.append("%s covers other resources than any-gpu" % n)
    problems += ["flavor %s has owners %s" % (f, o) for f, o in owners.items() if len(o) != 1]
    problems += ["flavor %s has no owning ClusterQueue" % f for f in flavors if f not in owners]
    if cohort_gpus != inventory_gpus or cohort_gpus == 0:
        problems.append("cohort GPUs %d != inventory %d" % (cohort_gpus, inventory_gpus))
    if anyq["spec"].get("preemption", {}).get("borrowWithinCohort", {}).get(
            "policy", "Never") != "Never":
        problems.append("any-gpu may preempt owners to borrow")
    check("kueue: per-type quotas equal the node inventory and add up to the cohort "
          "(%d GPUs), one owner per flavor, owners reclaim" % cohort_gpus, problems)
    return cqs, cohort_gpus


def test_tenants(projects, cqs, cohort_gpus):
    for p in projects:
        if not p.substitute or p.objects is None:
            continue
        ns = [o for o in p.objects if o["kind"] == "Namespace"]
        if len(ns) != 1:
            report("FAIL", "tenant %s has one Namespace" % p.name)
            continue
        labels = ns[0]["metadata"].get("labels", {})
        selected = {n for n, cq in cqs.items()
                    if selector_matches(cq["spec"].get("namespaceSelector"), labels)}
        local = {o["spec"]["clusterQueue"] for o in p.objects if o["kind"] == "LocalQueue"}
        want = p.expected_queues()
        check("tenant %s: namespace %s is selected by exactly %s and has LocalQueues for them" %
              (p.name, p.namespace, sorted(want) or "no queue"),
              ([] if selected == want else ["selected by %s" % sorted(selected)]) +
              ([] if local == want else ["LocalQueues point at %s" % sorted(local)]))
        problems = []
        if ns[0]["metadata"]["name"] != p.namespace:
            problems.append("Namespace is %s" % ns[0]["metadata"]["name"])
        for o in p.objects:
            if o["kind"] != "Namespace" and o["metadata"].get("namespace") != p.namespace:
                problems.append("%s/%s outside %s" % (o["kind"], o["metadata"]["name"],
                                                      p.namespace))
        check("tenant %s: every object is confined to its namespace" % p.name, problems)
        quotas = [o for o in p.objects if o["kind"] == "ResourceQuota"]
        gpus = quantity(quotas[0]["spec"]["hard"].get("requests." + GPU, "0")) if quotas else -1
        problems = []
        if not want and gpus != 0:
            problems.append("reaches no GPU queue but may hold %s GPUs" % gpus)
        if want and not 0 < gpus <= cohort_gpus:
            problems.append("GPU quota %s outside 1..%d" % (gpus, cohort_gpus))
        setters = [c for c in p.components if c.startswith("gpu-") or c in
                   ("cpu-only", "quota-large")]
        if "quota-large" in setters and setters[-1] != "quota-large":
            problems.append("quota-large must be listed after %s" % setters[-1])
        lm = [o for o in p.objects if o["kind"] == "LimitRange"]
        for lim in (lm[0]["spec"]["limits"] if lm else []):
            for key in ("default", "defaultRequest"):
                if GPU in (lim.get(key) or {}):
                    problems.append("LimitRange gives every container a GPU (%s)" % key)
        check("tenant %s: GPU quota %d fits its queues and the cohort, no GPU defaults" %
              (p.name, gpus), problems)
        problems = []
        for addon in GRANTED_ADDONS:
            used, granted = addon in p.components, addon in p.grants
            if used != granted:
                problems.append("%s %s but %s" % (addon, "used" if used else "not used",
                                                  "granted" if granted else "not granted"))
        rb = by_kind(p.objects, "RoleBinding").get("extra-editors")
        if rb is not None and not rb.get("subjects"):
            problems.append("extra-editors binds nobody")
        check("tenant %s: add-ons %s match project.yaml grants %s" %
              (p.name, p.components, sorted(p.grants)), problems)


def admin_groups(expr):
    m = re.search(r"in \[([^\]]*)\]", expr)
    return set(re.findall(r"'([^']*)'", m.group(1))) if m else set()


def strip_twin(pol):
    o = json.loads(json.dumps(pol))
    o["metadata"].pop("name")
    o["metadata"].get("annotations", {}).pop("policies.kyverno.io/title", None)
    o["spec"].pop("validationActions")
    o["spec"]["matchConstraints"].pop("namespaceSelector")
    return o


def test_exec_policy(projects, platform):
    vpols = by_kind(platform, "ValidatingPolicy")
    enforce, audit = vpols.get(EXEC_POLICIES[0]), vpols.get(EXEC_POLICIES[1])
    if not enforce or not audit:
        report("FAIL", "exec policy: both stages exist", "missing %s" % list(EXEC_POLICIES))
        return
    check("exec policy: the Enforce and Audit stages differ only in name, action and namespaces",
          ([] if strip_twin(enforce) == strip_twin(audit) else ["the rules differ"]) +
          ([] if enforce["spec"]["validationActions"] == ["Deny"] else ["enforce stage does not deny"]) +
          ([] if audit["spec"]["validationActions"] == ["Audit"] else ["audit stage does not audit"]))
    rules = enforce["spec"]["matchConstraints"]["resourceRules"]
    check("exec policy: matches CONNECT on pods/exec and pods/attach only, no background scan",
          [] if [(r["operations"], sorted(r["resources"])) for r in rules] ==
          [(["CONNECT"], ["pods/attach", "pods/exec"])] and
          enforce["spec"]["evaluation"]["background"]["enabled"] is False
          else ["rules %s" % rules])
    # Exactly one stage applies to every tenant namespace, whatever its enforce label says.
    problems, enforced = [], set()
    cases = [{"tend.dev/tenant": "true", "policy.tend.dev/enforce": v} for v in ("true", "false")]
    cases.append({"tend.dev/tenant": "true"})
    tenant_ns = {}
    for p in projects:
        for o in p.objects or []:
            if o["kind"] == "Namespace" and p.substitute:
                tenant_ns[p.name] = o["metadata"].get("labels", {})
    for labels in cases + list(tenant_ns.values()):
        n = [selector_matches(pol["spec"]["matchConstraints"]["namespaceSelector"], labels)
             for pol in (enforce, audit)]
        if sum(n) != 1:
            problems.append("labels %s match %d stages" % (labels, sum(n)))
    for name, labels in tenant_ns.items():
        if selector_matches(enforce["spec"]["matchConstraints"]["namespaceSelector"], labels):
            enforced.add(name)
    want = {p.name for p in projects if "policy-enforce" in p.components}
    if enforced != want:
        problems.append("enforced in %s, policy-enforce add-on in %s" % (sorted(enforced),
                                                                        sorted(want)))
    check("exec policy: exactly one stage per tenant namespace; Enforce exactly where "
          "policy-enforce is (%s)" % sorted(want), problems)
    crb = by_kind(platform, "ClusterRoleBinding").get("platform-admins", {})
    admins = {s["name"] for s in crb.get("subjects", []) if s["kind"] == "Group"}
    admins.add("system:masters")
    problems = []
    for pol in (enforce, audit, vpols.get("restrict-policy-exceptions", {"spec": {}})):
        conds = pol["spec"].get("matchConditions", [])
        got = set().union(*[admin_groups(c["expression"]) for c in conds]) if conds else set()
        if got != admins:
            problems.append("%s exempts %s" % (pol.get("metadata", {}).get("name"), sorted(got)))
    check("exec policy: exempts exactly the platform-admins binding's groups %s" % sorted(admins),
          problems)
    # Exceptions: only projects with an exec-debug grant, only their namespace and group,
    # expiring when the grant does.
    problems, seen = [], set()
    for p in projects:
        for o in p.objects or []:
            if o["kind"] != "PolicyException":
                continue
            seen.add(p.name)
            g = p.grants.get("exec-debug")
            spec = o["spec"]
            if not g or not g.get("until"):
                problems.append("%s has an exception without a dated exec-debug grant" % p.name)
                continue
            if spec.get("expiresAt") != "%sT23:59:59Z" % g["until"]:
                problems.append("%s expires %s, grant until %s" % (p.name, spec.get("expiresAt"),
                                                                   g["until"]))
            if sorted(r["name"] for r in spec["policyRefs"]) != sorted(EXEC_POLICIES):
                problems.append("%s excepts %s" % (p.name, spec["policyRefs"]))
            exprs = sorted(c["expression"] for c in spec.get("matchConditions", []))
            want_exprs = sorted(["request.namespace == '%s'" % p.namespace,
                                 "'%s' in request.userInfo.groups" % p.group])
            if exprs != want_exprs:
                problems.append("%s matches %s" % (p.name, exprs))
            if o["metadata"].get("namespace") != p.namespace:
                problems.append("%s's exception lives in %s" % (p.name, o["metadata"].get(
                    "namespace")))
    for p in projects:
        if "exec-debug" in p.grants and p.name not in seen:
            problems.append("%s has an exec-debug grant but no exception" % p.name)
    for o in platform:
        if o["kind"] == "PolicyException":
            problems.append("platform ships an exception %s" % o["metadata"]["name"])
    check("exec policy: exceptions exist only for exec-debug grants (%s) and match only that "
          "namespace and group until the grant ends" % sorted(seen), problems)


def test_affinity_policy(platform):
    mp = by_kind(platform, "MutatingPolicy").get("keep-cpu-pods-off-gpu-nodes")
    if not mp:
        report("FAIL", "affinity policy exists")
        return
    s, problems = mp["spec"], []
    if s.get("autogen", {}).get("podControllers", {}).get("controllers") != []:
        problems.append("autogen onto pod controllers is not off")
    rules = s["matchConstraints"]["resourceRules"]
    if [(r["resources"], r["operations"]) for r in rules] != [(["pods"], ["CREATE"])]:
        problems.append("does not match exactly Pod CREATE: %s" % rules)
    conds = " ".join(c["expression"] for c in s.get("matchConditions", []))
    if "DaemonSet" not in conds or GPU not in conds:
        problems.append("does not skip DaemonSet pods and GPU pods")
    patch = s["mutations"][0]["jsonPatch"]["expression"]
    for needle in ("variables.terms.map(", "platform.tend.dev~1scheduling", "NotIn"):
        if needle not in patch + json.dumps(s.get("variables")):
            problems.append("patch lacks %s" % needle)
    check("affinity policy: Pods only (no autogen), CREATE, skips DaemonSet and GPU pods, "
          "patches every required term and annotates", problems)


def test_folded_scalars():
    """kubectl's YAML parser reads a folded block (>) whose lines are indented more than
    its first line differently from libyaml (it adds a blank line), so multi-line CEL is
    written as literal blocks (|); keep it that way."""
    problems = []
    for top in ("base", "overlays", "examples"):
        for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
            for fname in files:
                if not fname.endswith((".yaml", ".yml")):
                    continue
                path = os.path.join(dirpath, fname)
                with open(path) as f:
                    lines = f.read().splitlines()
                for i, line in enumerate(lines):
                    if not re.search(r":\s*>[-+]?\s*$", line):
                        continue
                    block = []
                    for nxt in lines[i + 1:]:
                        if nxt.strip() and len(nxt) - len(nxt.lstrip()) <= len(line) - len(
                                line.lstrip()):
                            break
                        block.append(nxt)
                    ind = [len(b) - len(b.lstrip()) for b in block if b.strip()]
                    if ind and max(ind) > ind[0]:
                        problems.append("%s:%d" % (os.path.relpath(path, ROOT), i + 1))
    check("no folded (>) block with more-indented lines in base/, overlays/, examples/",
          problems)


def test_emulator(projects):
    """The platform and every example project apply to the API emulator (CRDs pre-installed)
    with server-side apply and strict field validation, as tend's daemon would apply them."""
    emulator = os.path.join(ROOT, "tests", "kube-emulator", "emulator.py")
    crds = [os.path.join(SHARED, "crds", d) for d in ("kueue", "kyverno")]
    if not os.path.exists(emulator) or not all(os.path.isdir(d) for d in crds):
        report("SKIP", "apply to the emulator", "emulator or shared CRDs missing")
        return
    import signal
    import tempfile
    tmp = tempfile.mkdtemp(prefix="tend-platform-")
    kc = os.path.join(tmp, "kubeconfig")
    cmd = [sys.executable, emulator, "--listen", "127.0.0.1:0", "--kubeconfig", kc]
    for d in crds:
        cmd += ["--crd", d]
    env = dict(os.environ, KUBECACHEDIR=os.path.join(tmp, "cache"))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        if not line.startswith("ready"):
            report("FAIL", "apply to the emulator", "emulator did not start: %s" %
                   first_line(proc.stderr.read() if proc.poll() is not None else line))
            return
        for p in projects:
            name = "apply %s to the emulator (server-side, strict)" % p.rel
            if p.objects is None:
                report("FAIL", name, "no rendered objects")
                continue
            body = yaml.safe_dump_all(p.objects, sort_keys=False)
            r = subprocess.run(["kubectl", "--kubeconfig", kc, "apply", "--server-side",
                                "--field-manager=tend", "--validate=strict", "-f", "-"],
                               input=body, capture_output=True, text=True, timeout=120, env=env)
            applied = [ln for ln in r.stdout.splitlines() if ln.endswith("serverside-applied")]
            check(name, ["exit %d: %s" % (r.returncode, first_line(r.stderr))] if r.returncode
                  else ([] if len(applied) == len(p.objects) else
                        ["%d of %d objects applied" % (len(applied), len(p.objects))]))
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)


def test_cel(projects, platform):
    """The Kyverno policies evaluated with a real CEL engine (cel/run.mjs, on
    @marcbachmann/cel-js installed by ../run with npm ci): unit tests of every
    CEL piece, the admission tables, and the broken-policy self-test."""
    node = os.environ.get("TEND_NODE", "")
    if not node:
        why = os.environ.get("TEND_NODE_MISSING") or "TEND_NODE is not set (use tests/platform/run)"
        print("*** SKIPPING the CEL evaluation of the Kyverno policies: %s ***" % why, flush=True)
        report("FAIL" if os.environ.get("CI") == "true" else "SKIP", "CEL evaluation", why)
        return
    import tempfile
    bundle = {"platform": platform, "projects": {}}
    for p in projects:
        if not p.substitute or p.objects is None:
            continue
        ns = [o for o in p.objects if o["kind"] == "Namespace"]
        bundle["projects"][p.name] = {
            "namespace": p.namespace, "group": p.group, "objects": p.objects,
            "labels": ns[0]["metadata"].get("labels", {}) if ns else {}}
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(bundle, f)
    try:
        cmd = [node, os.path.join(ROOT, "tests", "platform", "cel", "run.mjs"), f.name]
        if os.environ.get("TEND_CEL_BREAK"):  # show the suite failing on a broken policy
            cmd += ["--break", os.environ["TEND_CEL_BREAK"]]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    finally:
        os.unlink(f.name)
    seen = 0
    for ln in r.stdout.splitlines():
        m = re.match(r"(PASS|FAIL|SKIP) (.*?)(?:: (.*))?$", ln)
        if m:
            seen += 1
            report(m.group(1), m.group(2), m.group(3) or "")
        elif not re.match(r"\d+ passed, \d+ failed", ln):
            print(ln, flush=True)
    if r.returncode not in (0, 1) or not seen:
        report("FAIL", "CEL evaluation ran", "exit %d: %s" % (r.returncode, first_line(r.stderr)))


def test_kueue_doc(projects, platform):
    """docs/admins.md's queue tables are the ones generated from the bundle."""
    tenants = [(p.name, p.objects) for p in projects if p.substitute and p.objects is not None]
    want = kueue_table.table(platform, tenants)
    with open(os.path.join(ROOT, "docs", "admins.md")) as f:
        got = kueue_table.section(f.read())
    check("docs/admins.md's queue tables match the bundle (tests/platform/kueue-table prints them)",
          ["no generated section (markers missing)"] if got is None else
          ([] if got == want else ["they differ: run tests/platform/kueue-table and paste its "
                                   "output between the markers"]))


def test_kueue_borrowing(platform, projects, cqs):
    """Every GPU flavor has its own queue in any-gpu's cohort, any-gpu can borrow each
    flavor's every resource, and every LocalQueue points at an existing ClusterQueue."""
    flavors = by_kind(platform, "ResourceFlavor")
    anyq = cqs["any-gpu"]
    cohort = anyq["spec"].get("cohortName")
    problems = []
    for f in flavors:
        owner = cqs.get("gpu-" + f)
        if not owner:
            problems.append("flavor %s has no ClusterQueue gpu-%s" % (f, f))
        elif owner["spec"].get("cohortName") != cohort:
            problems.append("gpu-%s is in cohort %s, any-gpu in %s" % (
                f, owner["spec"].get("cohortName"), cohort))
    check("kueue: every GPU flavor %s has its ClusterQueue gpu-<flavor> in any-gpu's cohort %s" %
          (sorted(flavors), cohort), problems)
    problems = []
    owned = {f["name"]: (n, {r["name"]: r for r in f["resources"]})
             for n, cq in cqs.items() if n != "any-gpu"
             for rg in cq["spec"]["resourceGroups"] for f in rg["flavors"]}
    for rg in anyq["spec"]["resourceGroups"]:
        for f in rg["flavors"]:
            if f["name"] not in owned:
                problems.append("any-gpu lists %s, which no queue owns" % f["name"])
                continue
            owner, res = owned[f["name"]]
            for r in f["resources"]:
                if "borrowingLimit" in r and quantity(r["borrowingLimit"]) == 0:
                    problems.append("any-gpu may not borrow %s/%s" % (f["name"], r["name"]))
                o = res.get(r["name"])
                if o is None:
                    problems.append("%s does not own %s of %s" % (owner, r["name"], f["name"]))
                elif quantity(o["nominalQuota"]) == 0 or ("lendingLimit" in o and
                                                         quantity(o["lendingLimit"]) == 0):
                    problems.append("%s lends no %s of %s" % (owner, r["name"], f["name"]))
    check("kueue: any-gpu (nominal 0) can borrow every resource of every flavor from its owner",
          problems)
    problems, n = [], 0
    for p in projects:
        if not p.substitute or p.objects is None:
            continue
        for o in p.objects:
            if o["kind"] == "LocalQueue":
                n += 1
                if o["spec"]["clusterQueue"] not in cqs:
                    problems.append("%s/%s points at missing ClusterQueue %s" % (
                        p.name, o["metadata"]["name"], o["spec"]["clusterQueue"]))
    check("kueue: all %d LocalQueues of the example projects point at existing ClusterQueues" % n,
          problems)


def kueue_table_main():
    projects = discover()
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        render_kubectl(projects)
    if any(p.objects is None for p in projects):
        sys.exit("kubectl kustomize failed for %s" % [p.rel for p in projects if p.objects is None])
    platform = next(p for p in projects if p.name == "platform").objects
    sys.stdout.write(kueue_table.table(platform, [(p.name, p.objects) for p in projects
                                                  if p.substitute]))
    return 0


def main():
    if sys.argv[4:] == ["--kueue-table"]:
        return kueue_table_main()
    test_folded_scalars()
    projects = discover()
    render_kubectl(projects)
    test_parity(projects)
    test_substitution(projects)
    test_schemas(projects)
    platform = next(p for p in projects if p.name == "platform").objects or []
    res = test_kueue(platform)
    if res:
        test_tenants(projects, *res)
        test_kueue_borrowing(platform, projects, res[0])
    test_kueue_doc(projects, platform)
    test_exec_policy(projects, platform)
    test_affinity_policy(platform)
    test_cel(projects, platform)
    test_emulator(projects)
    tail = ", %d skipped" % counts["SKIP"] if counts["SKIP"] else ""
    print("%d passed, %d failed%s" % (counts["PASS"], counts["FAIL"], tail))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
