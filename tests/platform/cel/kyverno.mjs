// kyverno.mjs — evaluates Kyverno's CEL policy kinds (policies.kyverno.io/v1
// ValidatingPolicy, MutatingPolicy, GeneratingPolicy) and CEL
// PolicyExceptions against one admission request, the way Kyverno documents
// and implements them:
//
//   1. matchConstraints: resourceRules (group, version, operation,
//      resource or resource/subresource, "*" wildcards), excludeResourceRules,
//      namespaceSelector against the namespace's labels (for a cluster-scoped
//      object it is ignored, for a Namespace its own labels count);
//   2. PolicyExceptions that name the policy (policyRefs kind+name), are not
//      past expiresAt and whose matchConditions all hold: the policy is
//      skipped (reportResult skip, or pass);
//   3. matchConditions: all must be true, else the policy is skipped; an
//      error skips under failurePolicy Ignore and fails under Fail;
//   4. variables, evaluated lazily;
//   5. validations in order: the first false one fails with its
//      messageExpression (else message, else "CEL expression validation
//      failed at index N"); auditAnnotations are evaluated on pass and fail
//      and become the result's properties; validationActions decide what a
//      failure does (Deny rejects, Audit only reports, Warn warns);
//   6. mutations in order, each on the object the previous one produced
//      (JSONPatch; ApplyConfiguration is not used by the bundle and refused);
//   7. generate expressions, with generator.Apply recording what it creates.
//
// An admission request here is
//   {operation, resource: {group, version, resource}, subResource, name,
//    namespace, object, oldObject, userInfo: {username, groups}, uid}
// plus the world it is judged in: {namespaces: {name: Namespace},
// cluster: {"v1/pods/ns/name": Pod}, exceptions: [PolicyException],
// now: Date}.
import {compile, lazyVariables, toCel, toPlain, Resource, Generator} from './kcel.mjs'
import {applyPatch} from './jsonpatch.mjs'

const KINDS = new Set(['ValidatingPolicy', 'MutatingPolicy', 'GeneratingPolicy'])

export function selectorMatches (sel, labels) {
  if (!sel) return true
  labels = labels || {}
  for (const [k, v] of Object.entries(sel.matchLabels || {})) {
    if (labels[k] !== v) return false
  }
  for (const e of sel.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key)
    const values = e.values || []
    switch (e.operator) {
      case 'In': if (!has || !values.includes(labels[e.key])) return false; break
      case 'NotIn': if (has && values.includes(labels[e.key])) return false; break
      case 'Exists': if (!has) return false; break
      case 'DoesNotExist': if (has) return false; break
      default: throw new Error(`label selector operator ${e.operator}`)
    }
  }
  return true
}

function listMatches (list, value) {
  return (list || []).includes('*') || (list || []).includes(value)
}

// resources: "pods" (no subresource), "pods/exec", "*" (every resource, no
// subresource), "*/*", "pods/*", "*/exec".
function resourceMatches (list, resource, sub) {
  for (const r of list || []) {
    const [res, subres] = r.split('/')
    if (subres === undefined) {
      if (!sub && (res === '*' || res === resource)) return true
    } else if ((res === '*' || res === resource) && (subres === '*' || subres === sub)) {
      return true
    }
  }
  return false
}

export function ruleMatches (rule, req) {
  return listMatches(rule.operations, req.operation) &&
    listMatches(rule.apiGroups, req.resource.group) &&
    listMatches(rule.apiVersions, req.resource.version) &&
    resourceMatches(rule.resources, req.resource.resource, req.subResource || '')
}

export function constraintsMatch (mc, req, world) {
  if (!mc) return false
  if (mc.objectSelector && Object.keys(mc.objectSelector).length) {
    throw new Error('objectSelector: refused, the bundle uses none (the evaluator models only what it uses)')
  }
  if (!(mc.resourceRules || []).some(r => ruleMatches(r, req))) return false
  if ((mc.excludeResourceRules || []).some(r => ruleMatches(r, req))) return false
  if (mc.namespaceSelector) {
    let labels
    if (req.namespace) {
      const ns = world.namespaces[req.namespace]
      if (!ns) throw new Error(`namespace ${req.namespace} is not in the test world`)
      labels = ns.metadata.labels
    } else if (req.resource.resource === 'namespaces' && !req.resource.group) {
      labels = (req.object || req.oldObject).metadata.labels
    } else {
      return true // cluster-scoped: the namespace selector does not apply
    }
    if (!selectorMatches(mc.namespaceSelector, labels)) return false
  }
  return true
}

// The compiled form of a policy, cached by identity.
const compiled = new WeakMap()

// Compiles a policy's expressions; throws an Error with .notReady set when
// one does not compile (Kyverno then reports the policy not ready and does
// not run it).
export function compilePolicy (pol) {
  if (compiled.has(pol)) return compiled.get(pol)
  try {
    const c = compileSpec(pol)
    compiled.set(pol, c)
    return c
  } catch (e) {
    e.notReady = true
    e.message = `${pol.kind}/${pol.metadata.name} is not ready: ${e.message}`
    throw e
  }
}

function compileSpec (pol) {
  const s = pol.spec
  const named = (list, want, field = 'expression') => (list || []).map(x => ({
    name: x.name || x.key,
    program: compile(x[field], want),
    item: x
  }))
  const c = {
    matchConditions: named(s.matchConditions, 'bool'),
    variables: named(s.variables, null),
    validations: (s.validations || []).map(v => ({
      program: compile(v.expression, 'bool'),
      message: v.message,
      messageProgram: v.messageExpression ? compile(v.messageExpression, 'string') : null
    })),
    auditAnnotations: named(s.auditAnnotations, 'string|null', 'valueExpression'),
    mutations: (s.mutations || []).map(m => {
      if (m.patchType !== 'JSONPatch') {
        throw new Error(`${pol.metadata.name}: patchType ${m.patchType}: refused, the ` +
          'bundle uses JSONPatch only (the evaluator models only what it uses)')
      }
      return compile(m.jsonPatch.expression, 'list<JSONPatch>')
    }),
    generate: named(s.generate, 'bool')
  }
  return c
}

export function compileException (ex) {
  if (compiled.has(ex)) return compiled.get(ex)
  const c = (ex.spec.matchConditions || []).map(m => ({name: m.name, program: compile(m.expression, 'bool')}))
  compiled.set(ex, c)
  return c
}

function activation (req, world, object) {
  const ctx = {
    object: toCel(object === undefined ? (req.object ?? null) : object),
    oldObject: toCel(req.oldObject ?? null),
    namespaceObject: toCel(req.namespace ? world.namespaces[req.namespace] ?? null : null),
    request: {
      uid: req.uid || 'test-uid',
      operation: req.operation,
      name: req.name || '',
      namespace: req.namespace || '',
      subResource: req.subResource || '',
      dryRun: false,
      kind: req.kind || {group: req.resource.group, version: req.resource.version, kind: ''},
      resource: req.resource,
      userInfo: {username: req.userInfo.username, uid: '', groups: req.userInfo.groups || []}
    },
    resource: new Resource(world.cluster),
    generator: world.generator || new Generator()
  }
  return ctx
}

// Evaluates the conditions; true, false, or throws (the first error).
function allHold (conds, ctx) {
  let error = null
  for (const c of conds) {
    let v
    try {
      v = c.program(ctx)
    } catch (e) {
      error = error || new Error(`matchCondition ${c.name}: ${e.message}`)
      continue
    }
    if (v !== true) return false
  }
  if (error) throw error
  return true
}

function exceptionsFor (pol, world, ctx) {
  const now = world.now || new Date()
  const hit = []
  for (const ex of world.exceptions || []) {
    if (!(ex.spec.policyRefs || []).some(r => r.name === pol.metadata.name && r.kind === pol.kind)) continue
    if (ex.spec.expiresAt && new Date(ex.spec.expiresAt) <= now) continue
    if (world.exceptionNamespace && world.exceptionNamespace !== '*' &&
        ex.metadata.namespace !== world.exceptionNamespace) continue
    if (allHold(compileException(ex), ctx)) hit.push(ex)
  }
  return hit
}

// Evaluates one policy. Returns null when it does not apply (match
// constraints) and otherwise a Kyverno rule result:
//   {policy, kind, result: pass|fail|skip|error, message, properties,
//    exceptions, actions, allowed, warning, patches, object, generated}
export function evaluate (pol, req, world) {
  if (!KINDS.has(pol.kind)) throw new Error(`${pol.kind} is not a Kyverno CEL policy kind`)
  const c = compilePolicy(pol)
  if (!constraintsMatch(pol.spec.matchConstraints, req, world)) return null
  const failurePolicy = pol.spec.failurePolicy || 'Fail'
  const actions = pol.spec.validationActions || []
  const out = {policy: pol.metadata.name, kind: pol.kind, actions, result: 'pass', message: '',
    properties: {}, exceptions: [], allowed: true, warning: null}
  const ctx = activation(req, world)
  const fail = (message) => {
    out.result = 'error'
    out.message = message
    out.allowed = failurePolicy !== 'Fail'
    return out
  }
  try {
    out.exceptions = exceptionsFor(pol, world, ctx)
  } catch (e) {
    return fail(e.message)
  }
  if (out.exceptions.length) {
    const keys = out.exceptions.map(e => `${e.metadata.namespace}/${e.metadata.name}`).join(', ')
    const pass = out.exceptions[0].spec.reportResult === 'pass'
    out.result = pass ? 'pass' : 'skip'
    out.message = `rule is ${pass ? 'passed' : 'skipped'} due to policy exception: ${keys}`
    return out
  }
  try {
    if (!allHold(c.matchConditions, ctx)) {
      out.result = 'skip'
      out.message = 'skip'
      return out
    }
  } catch (e) {
    if (failurePolicy === 'Ignore') {
      out.result = 'skip'
      out.message = 'skip'
      return out
    }
    return fail(e.message)
  }
  ctx.variables = lazyVariables(c.variables, ctx)
  if (pol.kind === 'ValidatingPolicy') return validate(c, ctx, out, fail)
  if (pol.kind === 'MutatingPolicy') return mutate(c, req, world, out, fail)
  return generate(c, ctx, out, fail)
}

function auditAnnotations (c, ctx) {
  const props = {}
  for (const a of c.auditAnnotations) {
    const v = a.program(ctx)
    if (v !== null && v !== '') props[a.name] = v
  }
  return props
}

function validate (c, ctx, out, fail) {
  for (const [i, v] of c.validations.entries()) {
    let ok
    try {
      ok = v.program(ctx)
    } catch (e) {
      return fail(`validation ${i}: ${e.message}`)
    }
    if (ok) continue
    let message = v.message || ''
    if (v.messageProgram) {
      try {
        message = v.messageProgram(ctx)
      } catch (e) {
        message = `failed to evaluate message expression: ${e.message}`
      }
    }
    out.result = 'fail'
    out.message = message || `CEL expression validation failed at index ${i}`
    try {
      out.properties = auditAnnotations(c, ctx)
    } catch (e) {
      return fail(e.message)
    }
    if (out.actions.includes('Deny')) out.allowed = false
    if (out.actions.includes('Warn')) out.warning = out.message
    return out
  }
  out.message = 'success'
  try {
    out.properties = auditAnnotations(c, ctx)
  } catch (e) {
    return fail(e.message)
  }
  return out
}

function mutate (c, req, world, out, fail) {
  let object = JSON.parse(JSON.stringify(req.object))
  out.patches = []
  for (const [i, m] of c.mutations.entries()) {
    // each mutation sees the object as the previous ones left it
    const ctx = activation(req, world, object)
    ctx.variables = lazyVariables(c.variables, ctx)
    let patch
    try {
      patch = m(ctx)
      object = applyPatch(object, patch)
    } catch (e) {
      return fail(`mutation ${i}: ${e.message}`)
    }
    out.patches.push(...patch)
  }
  out.message = out.patches.length ? 'mutated' : 'no change'
  out.object = object
  return out
}

function generate (c, ctx, out, fail) {
  out.generated = ctx.generator.applied
  for (const [i, g] of c.generate.entries()) {
    try {
      if (g.program(ctx) !== true) return fail(`generate ${i} returned false`)
    } catch (e) {
      return fail(`generate ${i}: ${e.message}`)
    }
  }
  out.message = 'generated'
  return out
}

// Runs a request through every policy of the bundle as the API server would
// with Kyverno: mutating policies first (in order, each on the previous
// result), then validating and generating policies on the mutated object.
// A policy that does not compile is not run (Kyverno reports it not ready);
// it is listed in notReady.
// Returns {allowed, denials: [messages], results: [per-policy], object, notReady}.
export function admit (policies, req, world) {
  const notReady = []
  policies = policies.filter(p => {
    try {
      compilePolicy(p)
      return true
    } catch (e) {
      if (!e.notReady) throw e
      notReady.push(e.message)
      return false
    }
  })
  const results = []
  let object = req.object
  for (const pol of policies.filter(p => p.kind === 'MutatingPolicy')) {
    const r = evaluate(pol, {...req, object}, world)
    if (!r) continue
    results.push(r)
    if (r.object) object = r.object
  }
  const denials = []
  for (const pol of policies.filter(p => p.kind !== 'MutatingPolicy')) {
    const r = evaluate(pol, {...req, object}, world)
    if (!r) continue
    results.push(r)
    if (!r.allowed) denials.push(`${r.policy}: ${r.message}`)
  }
  return {allowed: denials.length === 0, denials, results, object: toPlain(object), notReady}
}
