// unit.mjs — one test per Kubernetes/Kyverno CEL piece kcel.mjs and
// kyverno.mjs model, and per admission rule the evaluator applies.
import {compile, rewriteStructs, lazyVariables, Resource, Generator} from './kcel.mjs'
import {applyPatch} from './jsonpatch.mjs'
import {selectorMatches, ruleMatches, constraintsMatch, evaluate} from './kyverno.mjs'

const eq = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
function sortKeys (v) {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map(k => [k, sortKeys(v[k])]))
  return v
}

// Each entry: [name, () => list of problems (empty = pass)].
function expectValue (expr, ctx, want, type = null) {
  return () => {
    const got = compile(expr, type)(ctx)
    return eq(got, want) ? [] : [`${expr} gave ${JSON.stringify(got)}, want ${JSON.stringify(want)}`]
  }
}
function expectRefused (expr, why, type = null) {
  return () => {
    try {
      compile(expr, type)
    } catch (e) {
      return e.message.includes(why) ? [] : [`refused for another reason: ${e.message}`]
    }
    return [`${expr} compiled`]
  }
}

const pod = {spec: {containers: [{name: 'a', resources: {limits: {'nvidia.com/gpu': 1}}}]}}
const req = (over = {}) => ({
  uid: 'u1', operation: 'CONNECT', name: 'p', namespace: 'ns', subResource: 'exec', dryRun: false,
  kind: {group: '', version: 'v1', kind: 'PodExecOptions'},
  resource: {group: '', version: 'v1', resource: 'pods'},
  userInfo: {username: 'alice', uid: '', groups: ['g1', 'g2']},
  ...over
})

export const UNIT = [
  ['optional field a.?b.orValue(d)', expectValue("object.?spec.?initContainers.orValue([])", {object: pod}, [])],
  ['optional index [?k].hasValue() on a key with a dot', expectValue(
    "object.spec.containers[0].?resources.?limits[?'nvidia.com/gpu'].hasValue()", {object: pod}, true, 'bool')],
  ['optional index [?k].hasValue() on a missing key', expectValue(
    "object.spec.containers[0].?resources.?requests[?'nvidia.com/gpu'].hasValue()", {object: pod}, false, 'bool')],
  ['has() on a missing and a present field', expectValue(
    '[has(object.spec.affinity), has(object.spec.containers)]', {object: pod}, [false, true])],
  ['exists/filter/map/all macros', expectValue(
    "[object.spec.containers.exists(c, c.name == 'a'), object.spec.containers.all(c, c.name == 'b')]",
    {object: pod}, [true, false])],
  ['filter then map', expectValue("object.spec.containers.filter(c, c.name == 'a').map(c, c.name)",
    {object: pod}, ['a'])],
  ['size() of a list', expectValue('size(object.spec.containers) > 0', {object: pod}, true, 'bool')],
  ['list.join(sep) (strings extension)', expectValue("['a', 'b'].join(', ')", {}, 'a, b', 'string')],
  ['in on a list of strings', expectValue("'g2' in request.userInfo.groups", {request: req()}, true, 'bool')],
  ['request is typed: name, namespace, subResource are strings', expectValue(
    "'pod=' + request.namespace + '/' + request.name + ' ' + request.subResource",
    {request: req()}, 'pod=ns/p exec', 'string')],
  ['dyn() lets a map literal mix value types', expectValue(
    '{"key": dyn("k"), "values": dyn(["v"])}', {}, {key: 'k', values: ['v']})],
  ['a map literal mixing string and list values does not compile (homogeneous literals)',
    expectRefused('{"key": "k", "values": ["v"]}', 'does not compile')],
  ['a list literal mixing int and string does not compile', expectRefused('[1, "a"]', 'does not compile')],
  ['a map literal mixing a string and a dyn value compiles (cel-go joins to dyn)', expectValue(
    '{"a": "x", "b": object.n}', {object: {n: 'y'}}, {a: 'x', b: 'y'})],
  ['a function outside the modelled set fails loudly', expectRefused(
    "'A'.lowerAscii() == 'a'", 'does not implement')],
  ['a struct other than JSONPatch fails loudly', expectRefused('Object{spec: 1}', 'does not implement')],
  ['output type is enforced (a string where bool is wanted)', expectRefused("'x'", 'expected to be of type bool', 'bool')],
  ['output type is enforced (dyn is not exactly bool)', expectRefused('object.x', 'expected to be of type bool', 'bool')],
  ['JSONPatch{} builds typed patch values', expectValue(
    '[JSONPatch{op: "add", path: "/a", value: dyn({"b": [1]})}, JSONPatch{op: "remove", path: "/c"}]',
    {}, [{op: 'add', path: '/a', value: {b: [1]}}, {op: 'remove', path: '/c'}], 'list<JSONPatch>')],
  ['JSONPatch{} field types are checked (op is a string)', expectRefused(
    '[JSONPatch{op: 1, path: "/a"}]', 'does not compile')],
  ['JSONPatch{} refuses an unknown field', expectRefused('[JSONPatch{op: "add", pth: "/a"}]', 'no field pth')],
  ['struct rewriting leaves string literals alone', () => {
    const s = "'JSONPatch{x}' + \"a{b}\""
    return rewriteStructs(s) === s ? [] : [rewriteStructs(s)]
  }],
  ['resource.Get answers from the test cluster', expectValue(
    'resource.Get("v1", "pods", "ns", "p").metadata.name',
    {resource: new Resource({'v1/pods/ns/p': {metadata: {name: 'p'}}})}, 'p')],
  ['resource.Get of a missing object is an error', () => {
    try {
      compile('resource.Get("v1", "pods", "ns", "q")')({resource: new Resource({})})
    } catch (e) {
      return /not found/.test(e.message) ? [] : [e.message]
    }
    return ['no error']
  }],
  ['generator.Apply records what it creates', () => {
    const g = new Generator()
    const ok = compile('generator.Apply("ns", [{"kind": dyn("Event")}])', 'bool')({generator: g})
    return ok === true && eq(g.applied, [{namespace: 'ns', object: {kind: 'Event'}}]) ? [] : [JSON.stringify(g.applied)]
  }],
  ['variables are lazy: an unused failing variable does no harm, a used one fails', () => {
    const ctx = {object: pod}
    ctx.variables = lazyVariables([
      {name: 'bad', program: compile('resource.Get("v1", "pods", "x", "y")')},
      {name: 'n', program: compile('size(object.spec.containers)')}], {...ctx, resource: new Resource({})})
    const problems = []
    if (compile('variables.n == 1', 'bool')(ctx) !== true) problems.push('variables.n')
    try {
      compile('has(variables.bad.spec)')(ctx)
      problems.push('variables.bad did not fail')
    } catch (e) { /* expected */ }
    return problems
  }],
  ['JSON patch: add into a map, ~1 escapes "/", replace, remove, array append', () => {
    const doc = {metadata: {annotations: {x: '1'}}, list: [1]}
    const got = applyPatch(doc, [
      {op: 'add', path: '/metadata/annotations/a.b~1c', value: 'v'},
      {op: 'replace', path: '/metadata/annotations/x', value: '2'},
      {op: 'add', path: '/list/-', value: 2},
      {op: 'remove', path: '/list/0'}])
    const want = {metadata: {annotations: {x: '2', 'a.b/c': 'v'}}, list: [2]}
    return eq(got, want) && doc.list.length === 1 ? [] : [JSON.stringify(got)]
  }],
  ['JSON patch: add under a missing parent is an error, replace of a missing key too', () => {
    const problems = []
    for (const op of [{op: 'add', path: '/a/b', value: 1}, {op: 'replace', path: '/z', value: 1}]) {
      try {
        applyPatch({}, [op])
        problems.push(`${op.op} ${op.path} applied`)
      } catch (e) { /* expected */ }
    }
    return problems
  }],
  ['label selectors: matchLabels, In, NotIn (absent key matches), Exists, DoesNotExist', () => {
    const sel = {matchLabels: {t: 'true'}, matchExpressions: [{key: 'e', operator: 'NotIn', values: ['true']}]}
    const cases = [[{t: 'true'}, true], [{t: 'true', e: 'false'}, true], [{t: 'true', e: 'true'}, false],
      [{}, false], [{t: 'false'}, false]]
    const p = cases.filter(([l, w]) => selectorMatches(sel, l) !== w).map(([l]) => JSON.stringify(l))
    if (!selectorMatches({matchExpressions: [{key: 'k', operator: 'Exists'}]}, {k: ''})) p.push('Exists')
    if (selectorMatches({matchExpressions: [{key: 'k', operator: 'DoesNotExist'}]}, {k: ''})) p.push('DoesNotExist')
    if (!selectorMatches({matchExpressions: [{key: 'k', operator: 'In', values: ['a']}]}, {k: 'a'})) p.push('In')
    return p
  }],
  ['resource rules: "pods" is not "pods/exec", subresources and wildcards match', () => {
    const r = (res, ops = ['CONNECT']) => ({apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: res})
    const q = (sub, op = 'CONNECT') => ({operation: op, resource: {group: '', version: 'v1', resource: 'pods'}, subResource: sub})
    const cases = [[r(['pods']), q('exec'), false], [r(['pods/exec']), q('exec'), true],
      [r(['pods/exec']), q('attach'), false], [r(['pods/*']), q('attach'), true], [r(['*']), q(''), true],
      [r(['*']), q('exec'), false], [r(['*/*']), q('exec'), true], [r(['pods'], ['CREATE']), q('', 'UPDATE'), false],
      [r(['pods'], ['*']), q('', 'DELETE'), true]]
    return cases.filter(([rule, rq, w]) => ruleMatches(rule, rq) !== w)
      .map(([rule, rq]) => `${rule.resources}/${rule.operations} vs ${rq.subResource}/${rq.operation}`)
  }],
  ['matchConstraints: excludeResourceRules, and the namespaceSelector on namespaced, cluster-scoped and Namespace objects', () => {
    const rule = (res) => ({apiGroups: ['*'], apiVersions: ['*'], operations: ['CREATE'], resources: res})
    const mc = {resourceRules: [rule(['*'])], excludeResourceRules: [rule(['secrets'])],
      namespaceSelector: {matchLabels: {t: 'true'}}}
    const q = (resource, namespace, group = '') => ({operation: 'CREATE', resource: {group, version: 'v1', resource},
      subResource: '', namespace, object: {metadata: {labels: resource === 'namespaces' ? {t: 'true'} : {}}}})
    const w = {namespaces: {yes: {metadata: {labels: {t: 'true'}}}, no: {metadata: {labels: {}}}}}
    const cases = [[q('configmaps', 'yes'), true], [q('configmaps', 'no'), false], [q('secrets', 'yes'), false],
      [q('clusterroles', '', 'rbac.authorization.k8s.io'), true], [q('namespaces', ''), true]]
    const p = cases.filter(([r, want]) => constraintsMatch(mc, r, w) !== want)
      .map(([r]) => `${r.resource.resource} in ${r.namespace || '(cluster)'}`)
    const ns = q('namespaces', '')
    ns.object.metadata.labels = {}
    if (constraintsMatch(mc, ns, w)) p.push('a Namespace is judged by its own labels')
    return p
  }],
  ['exceptions: matched by policyRefs kind and name, ignored after expiresAt', () => {
    const pol = {kind: 'ValidatingPolicy', metadata: {name: 'p'}, spec: {validationActions: ['Deny'],
      matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps']}]},
      validations: [{expression: 'false', message: 'no'}]}}
    const ex = (name, kind, expiresAt) => ({metadata: {name: 'x', namespace: 'ns'},
      spec: {expiresAt, policyRefs: [{name, kind}], matchConditions: [{name: 'c', expression: "request.namespace == 'ns'"}]}})
    const q = {operation: 'CREATE', resource: {group: '', version: 'v1', resource: 'configmaps'}, namespace: 'ns',
      object: {}, userInfo: {username: 'u', groups: []}}
    const world = (exceptions, now) => ({namespaces: {ns: {metadata: {labels: {}}}}, exceptions, now: new Date(now)})
    const got = [
      evaluate(pol, q, world([ex('p', 'ValidatingPolicy', '2026-01-01T00:00:00Z')], '2025-12-31T00:00:00Z')).result,
      evaluate(pol, q, world([ex('p', 'ValidatingPolicy', '2026-01-01T00:00:00Z')], '2026-01-01T00:00:00Z')).result,
      evaluate(pol, q, world([ex('p', 'MutatingPolicy')], '2025-01-01T00:00:00Z')).result,
      evaluate(pol, q, world([ex('q', 'ValidatingPolicy')], '2025-01-01T00:00:00Z')).result]
    return eq(got, ['skip', 'fail', 'fail', 'fail']) ? [] : [JSON.stringify(got)]
  }],
  ['failurePolicy: a matchCondition error skips under Ignore and denies under Fail', () => {
    const pol = (fp) => ({kind: 'ValidatingPolicy', metadata: {name: 'p'}, spec: {failurePolicy: fp,
      validationActions: ['Deny'],
      matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps']}]},
      matchConditions: [{name: 'c', expression: 'resource.Get("v1", "pods", "a", "b").x == 1'}],
      validations: [{expression: 'true'}]}})
    const q = {operation: 'CREATE', resource: {group: '', version: 'v1', resource: 'configmaps'}, namespace: 'ns',
      object: {}, userInfo: {username: 'u', groups: []}}
    const w = {namespaces: {ns: {metadata: {}}}, cluster: {}}
    const a = evaluate(pol('Ignore'), q, w)
    const b = evaluate(pol('Fail'), q, w)
    return a.result === 'skip' && a.allowed && b.result === 'error' && !b.allowed ? [] : [JSON.stringify([a, b])]
  }],
  ['validation: message is used when messageExpression is absent, a default when both are', () => {
    const pol = (v) => ({kind: 'ValidatingPolicy', metadata: {name: 'p'}, spec: {validationActions: ['Audit'],
      matchConstraints: {resourceRules: [{apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps']}]},
      validations: [{expression: 'true'}, v]}})
    const q = {operation: 'CREATE', resource: {group: '', version: 'v1', resource: 'configmaps'},
      object: {}, userInfo: {username: 'u', groups: []}}
    const a = evaluate(pol({expression: 'false', message: 'm'}), q, {namespaces: {}})
    const b = evaluate(pol({expression: 'false'}), q, {namespaces: {}})
    return a.message === 'm' && b.message === 'CEL expression validation failed at index 1' &&
      a.allowed && a.result === 'fail' ? [] : [a.message, b.message]
  }]
]
