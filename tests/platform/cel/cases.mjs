// cases.mjs — the admission tables: every policy of the rendered platform
// bundle, judged on requests a tenant or an admin would make, against the
// namespaces, PolicyExceptions and groups of the rendered example projects.
import {admit, evaluate, compilePolicy} from './kyverno.mjs'

const GPU = 'nvidia.com/gpu'
const IN_FORCE = new Date('2026-12-01T12:00:00Z') // before vision's grant ends (2026-12-31)
const EXPIRED = new Date('2027-01-01T00:00:00Z') // just after it
export const EXEC_HINT = 'Run the work as a Job instead of an interactive shell; to copy files, use a ' +
  'CPU-only pod that mounts the same volume (oc rsync / kubectl cp work there). A time-boxed ' +
  'exec-debug grant can be requested by pull request (docs/researchers.md).'
export const NOTE = 'This pod requests no nvidia.com/gpu, so the platform added the node affinity ' +
  'nvidia.com/gpu.present NotIn [true] to every required node selector term: it will not be ' +
  'scheduled on a GPU node. Request a GPU (resources.limits) if it needs one.'
const REQUIREMENT = {key: 'nvidia.com/gpu.present', operator: 'NotIn', values: ['true']}
const EXCEPTION_MSG = 'PolicyExceptions are managed by tend from the config repo; request an ' +
  'exception by pull request (docs/researchers.md).'

const clone = (v) => JSON.parse(JSON.stringify(v))
const eq = (a, b) => JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b))
function sortKeys (v) {
  if (Array.isArray(v)) return v.map(sortKeys)
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map(k => [k, sortKeys(v[k])]))
  return v
}

// ------------------------------------------------------------ the world
function container (name, resources) {
  return resources ? {name, image: 'registry.example/' + name, resources} : {name, image: 'registry.example/' + name}
}
export function makePod (name, ns, {containers = [container('main')], initContainers, owner, annotations,
  affinity, labels} = {}) {
  const p = {apiVersion: 'v1', kind: 'Pod', metadata: {name, namespace: ns, uid: `uid-${ns}-${name}`}, spec: {containers}}
  if (labels) p.metadata.labels = labels
  if (annotations) p.metadata.annotations = annotations
  if (owner) p.metadata.ownerReferences = [{apiVersion: 'apps/v1', kind: owner, name: 'owner', uid: 'o1', controller: true}]
  if (initContainers) p.spec.initContainers = initContainers
  if (affinity) p.spec.affinity = affinity
  return p
}
const gpuLimits = {limits: {[GPU]: 1, cpu: '8'}}

export function world (bundle, {now = IN_FORCE, exceptions = []} = {}) {
  const namespaces = {
    'kube-system': {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'kube-system', labels: {}}},
    'gpu-operator': {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'gpu-operator', labels: {}}}
  }
  for (const p of Object.values(bundle.projects)) {
    for (const o of p.objects) if (o.kind === 'Namespace') namespaces[o.metadata.name] = o
  }
  const cluster = {}
  for (const ns of Object.keys(namespaces)) {
    for (const pod of [
      makePod('train', ns, {containers: [container('trainer', gpuLimits), container('sidecar')]}),
      makePod('helper', ns, {containers: [container('shell', {requests: {cpu: '1'}})]}),
      makePod('prep', ns, {initContainers: [container('stage-in', {requests: {[GPU]: 1}})],
        containers: [container('main')]})]) {
      cluster[`v1/pods/${ns}/${pod.metadata.name}`] = pod
    }
  }
  return {namespaces, cluster, exceptions, now}
}

// The exec-debug exception of a project: the rendered one (vision), or the
// same overlay rendered for another project by renaming namespace and group.
export function exceptionFor (bundle, project) {
  const [source] = Object.values(bundle.projects).filter(p => p.objects.some(o => o.kind === 'PolicyException'))
  if (!source) throw new Error('no example project renders an exec-debug PolicyException')
  const ex = source.objects.find(o => o.kind === 'PolicyException')
  if (project === source) return ex
  const text = JSON.stringify(ex).split(source.group).join('\u0000')
    .split(`'${source.namespace}'`).join(`'${project.namespace}'`)
    .split(`"namespace":"${source.namespace}"`).join(`"namespace":"${project.namespace}"`)
    .split('\u0000').join(project.group)
  return JSON.parse(text)
}

function connect (ns, pod, sub, user, groups, command = ['nvidia-smi', '-l']) {
  return {
    operation: 'CONNECT', resource: {group: '', version: 'v1', resource: 'pods'}, subResource: sub,
    name: pod, namespace: ns, uid: 'req-1',
    object: {kind: 'PodExecOptions', apiVersion: 'v1', container: 'trainer', command, stdin: true, tty: true},
    userInfo: {username: user, groups: [...groups, 'system:authenticated']}
  }
}
function podCreate (pod, user = 'system:serviceaccount:kube-system:job-controller') {
  return {
    operation: 'CREATE', resource: {group: '', version: 'v1', resource: 'pods'}, subResource: '',
    name: pod.metadata.name, namespace: pod.metadata.namespace, object: pod,
    userInfo: {username: user, groups: ['system:serviceaccounts']}
  }
}

function byName (results) {
  return Object.fromEntries(results.map(r => [r.policy, r]))
}

// Compares the results of admit() with the expectation
//   {allowed, results: {policy: "pass"|"fail"|"skip"|null(no match)}, message: {policy: text}}
function expectAdmission (got, want) {
  const problems = []
  if (got.allowed !== want.allowed) {
    problems.push(`${got.allowed ? 'allowed' : 'denied'} (${got.denials.join('; ') || 'no denial'}), want ` +
      (want.allowed ? 'allowed' : 'denied'))
  }
  const res = byName(got.results)
  for (const [pol, result] of Object.entries(want.results || {})) {
    const r = res[pol]
    const have = r ? r.result : null
    if (have !== result) problems.push(`${pol}: ${have || 'no match'}${r && r.message ? ` (${r.message.slice(0, 120)})` : ''}, want ${result || 'no match'}`)
  }
  for (const [pol, msg] of Object.entries(want.message || {})) {
    const r = res[pol]
    if (!r || r.message !== msg) problems.push(`${pol} message ${JSON.stringify(r && r.message)}, want ${JSON.stringify(msg)}`)
  }
  for (const [pol, props] of Object.entries(want.properties || {})) {
    const r = res[pol]
    if (!r || !eq(r.properties, props)) problems.push(`${pol} properties ${JSON.stringify(r && r.properties)}, want ${JSON.stringify(props)}`)
  }
  return problems
}

// ------------------------------------------------------------ the tables
export function cases (bundle) {
  const policies = bundle.platform.filter(o => /^(Validating|Mutating|Generating)Policy$/.test(o.kind))
  const projects = bundle.projects
  const out = []
  const add = (name, fn) => out.push([name, fn])

  for (const p of policies) {
    add(`compile: ${p.kind}/${p.metadata.name} compiles as Kyverno compiles it`, () => {
      try {
        compilePolicy(p)
        return []
      } catch (e) {
        return [e.message]
      }
    })
  }

  const enforced = Object.values(projects).find(p => p.labels['policy.tend.dev/enforce'] === 'true')
  const staged = Object.values(projects).find(p => p.labels['policy.tend.dev/enforce'] !== 'true' &&
    p.objects.some(o => o.kind === 'PolicyException'))
  if (!enforced || !staged) {
    add('the examples have an enforced project and an audit-stage project with exec-debug', () =>
      ['missing: ' + (!enforced ? 'enforced ' : '') + (!staged ? 'audit-stage with exec-debug' : '')])
    return out
  }
  const E = enforced.namespace
  const S = staged.namespace
  const denyMsg = (pod, containers) => `exec/attach into pod ${pod} is not allowed: it holds GPUs ` +
    `(containers ${containers}). ${EXEC_HINT}`
  const tenantOf = (p) => [`${p.group}-member@example.edu`, [p.group]]
  const [eUser, eGroups] = tenantOf(enforced)
  const [sUser, sGroups] = tenantOf(staged)
  const exE = exceptionFor(bundle, enforced)
  const exS = exceptionFor(bundle, staged)

  // ---- exec and attach (restrict-gpu-pod-exec, its audit stage, audit-pod-exec, event-on-pod-exec)
  const ENF = 'restrict-gpu-pod-exec'
  const AUD = 'restrict-gpu-pod-exec-audit'
  const execTable = [
    // [case, ns, pod, sub, user, groups, exceptions, now, want]
    ['tenant execs into a GPU pod in an enforced namespace', E, 'train', 'exec', eUser, eGroups, [], IN_FORCE,
      {allowed: false, results: {[ENF]: 'fail', [AUD]: null}, message: {[ENF]: denyMsg('train', 'trainer')}}],
    ['tenant attaches to a GPU pod in an enforced namespace', E, 'train', 'attach', eUser, eGroups, [], IN_FORCE,
      {allowed: false, results: {[ENF]: 'fail'}, message: {[ENF]: denyMsg('train', 'trainer')}}],
    ['tenant execs into a pod whose GPU is in an initContainer request', E, 'prep', 'exec', eUser, eGroups, [], IN_FORCE,
      {allowed: false, results: {[ENF]: 'fail'}, message: {[ENF]: denyMsg('prep', 'stage-in')}}],
    ['tenant execs into a CPU-only pod (kubectl cp, oc rsync)', E, 'helper', 'exec', eUser, eGroups, [], IN_FORCE,
      {allowed: true, results: {[ENF]: 'pass', [AUD]: null}}],
    ['tenant attaches to a CPU-only pod', E, 'helper', 'attach', eUser, eGroups, [], IN_FORCE,
      {allowed: true, results: {[ENF]: 'pass'}}],
    ['platform admin execs into a GPU pod', E, 'train', 'exec', 'admin@example.edu', ['platform-admins'], [], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'}}],
    ['system:masters attaches to a GPU pod', E, 'train', 'attach', 'kubernetes-admin', ['system:masters'], [], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'}}],
    ['platform admin execs into a CPU-only pod', E, 'helper', 'exec', 'admin@example.edu', ['platform-admins'], [], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'}}],
    ['tenant execs into a GPU pod with an exec-debug exception in force', E, 'train', 'exec', eUser, eGroups, [exE], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'},
        message: {[ENF]: `rule is skipped due to policy exception: ${E}/exec-debug`}}],
    ['tenant attaches to a GPU pod with an exec-debug exception in force', E, 'train', 'attach', eUser, eGroups, [exE], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'}}],
    ['tenant execs into a GPU pod after the exec-debug exception expired', E, 'train', 'exec', eUser, eGroups, [exE], EXPIRED,
      {allowed: false, results: {[ENF]: 'fail'}}],
    ['another group is not covered by the tenant\'s exception', E, 'train', 'exec', sUser, sGroups, [exE], IN_FORCE,
      {allowed: false, results: {[ENF]: 'fail'}}],
    ['an exception of another namespace does not apply', E, 'train', 'exec', eUser, eGroups, [exS], IN_FORCE,
      {allowed: false, results: {[ENF]: 'fail'}}],
    ['platform admin with an exception in force', E, 'train', 'exec', 'admin@example.edu', ['platform-admins'], [exE], IN_FORCE,
      {allowed: true, results: {[ENF]: 'skip'}}],
    ['audit stage: tenant execs into a GPU pod, reported not denied', S, 'train', 'exec', sUser, sGroups, [], IN_FORCE,
      {allowed: true, results: {[AUD]: 'fail', [ENF]: null}, message: {[AUD]: denyMsg('train', 'trainer')}}],
    ['audit stage: with the rendered exec-debug exception in force, skipped', S, 'train', 'exec', sUser, sGroups, [exS], IN_FORCE,
      {allowed: true, results: {[AUD]: 'skip'},
        message: {[AUD]: `rule is skipped due to policy exception: ${S}/exec-debug`}}],
    ['audit stage: after the rendered exception expired, reported again', S, 'train', 'exec', sUser, sGroups, [exS], EXPIRED,
      {allowed: true, results: {[AUD]: 'fail'}}],
    ['audit stage: CPU-only pod passes', S, 'helper', 'attach', sUser, sGroups, [], IN_FORCE,
      {allowed: true, results: {[AUD]: 'pass'}}],
    ['audit stage: platform admin skipped', S, 'train', 'exec', 'admin@example.edu', ['platform-admins'], [], IN_FORCE,
      {allowed: true, results: {[AUD]: 'skip'}}],
    ['non-tenant namespace: no exec policy applies, exec is still audited', 'kube-system', 'train', 'exec',
      'ops@example.edu', ['ops'], [], IN_FORCE,
      {allowed: true, results: {[ENF]: null, [AUD]: null, 'audit-pod-exec': 'pass', 'event-on-pod-exec': null}}]
  ]
  for (const [name, ns, pod, sub, user, groups, exceptions, now, want] of execTable) {
    add(`exec: ${name} (${ns}, pods/${sub} ${pod}) -> ${want.allowed ? 'allowed' : 'denied'}`, () =>
      expectAdmission(admit(policies, connect(ns, pod, sub, user, groups), world(bundle, {now, exceptions})), want))
  }
  add('exec: pods/portforward is not matched by any exec policy', () => {
    const got = admit(policies, connect(E, 'train', 'portforward', eUser, eGroups), world(bundle))
    return got.results.length === 0 && got.allowed ? [] : [`matched ${got.results.map(r => r.policy)}`]
  })

  // ---- staged rollout: every tenant namespace of the examples
  for (const p of Object.values(projects)) {
    const isEnforced = p.labels['policy.tend.dev/enforce'] === 'true'
    const [u, g] = tenantOf(p)
    add(`rollout: ${p.namespace} (enforce=${p.labels['policy.tend.dev/enforce'] ?? 'unset'}) GPU exec is ` +
      (isEnforced ? 'denied' : 'only audited'), () => expectAdmission(
      admit(policies, connect(p.namespace, 'train', 'exec', u, g), world(bundle)),
      {allowed: !isEnforced, results: {[ENF]: isEnforced ? 'fail' : null, [AUD]: isEnforced ? null : 'fail'}}))
  }
  for (const [label, labels, want] of [
    ['label unset', {'tend.dev/tenant': 'true'}, AUD],
    ['enforce "false"', {'tend.dev/tenant': 'true', 'policy.tend.dev/enforce': 'false'}, AUD],
    ['enforce "true"', {'tend.dev/tenant': 'true', 'policy.tend.dev/enforce': 'true'}, ENF]]) {
    add(`rollout: a tenant namespace with ${label} is judged by ${want} only`, () => {
      const w = world(bundle)
      w.namespaces.newcomer = {apiVersion: 'v1', kind: 'Namespace', metadata: {name: 'newcomer', labels}}
      w.cluster['v1/pods/newcomer/train'] = makePod('train', 'newcomer', {containers: [container('trainer', gpuLimits)]})
      const got = admit(policies, connect('newcomer', 'train', 'exec', 'x@example.edu', ['newcomer']), w)
      return expectAdmission(got, {allowed: want === AUD, results: {[ENF]: want === ENF ? 'fail' : null,
        [AUD]: want === AUD ? 'fail' : null}})
    })
  }

  // ---- audit-pod-exec's report and event-on-pod-exec's Event
  add('audit: audit-pod-exec reports pass with who ran what where (report properties)', () => expectAdmission(
    admit(policies, connect(E, 'train', 'exec', eUser, eGroups), world(bundle)),
    {allowed: false, results: {'audit-pod-exec': 'pass'}, message: {'audit-pod-exec': 'success'},
      properties: {'audit-pod-exec': {'pod-exec': `user=${eUser} groups=${eGroups[0]},system:authenticated ` +
        `pod=${E}/train subresource=exec container=trainer command=nvidia-smi -l`}}}))
  add('audit: an attach without container or command still reports (empty fields)', () => {
    const r = connect(S, 'helper', 'attach', sUser, sGroups)
    r.object = {kind: 'PodAttachOptions', apiVersion: 'v1', stdin: true}
    return expectAdmission(admit(policies, r, world(bundle)), {allowed: true, results: {'audit-pod-exec': 'pass'},
      properties: {'audit-pod-exec': {'pod-exec': `user=${sUser} groups=${sGroups[0]},system:authenticated ` +
        `pod=${S}/helper subresource=attach container= command=`}}})
  })
  add('audit: audit-pod-exec records admins and exceptions too (never skipped)', () => expectAdmission(
    admit(policies, connect(E, 'train', 'exec', 'admin@example.edu', ['platform-admins']), world(bundle, {exceptions: [exE]})),
    {allowed: true, results: {'audit-pod-exec': 'pass', [ENF]: 'skip'}}))
  add('audit: event-on-pod-exec creates an Event on the pod naming user, command and container', () => {
    const got = admit(policies, connect(S, 'train', 'exec', sUser, sGroups), world(bundle))
    const r = byName(got.results)['event-on-pod-exec']
    if (!r) return ['event-on-pod-exec did not match']
    const want = [{namespace: S, object: {apiVersion: 'v1', kind: 'Event',
      metadata: {name: 'train.exec.req-1', namespace: S},
      involvedObject: {apiVersion: 'v1', kind: 'Pod', name: 'train', namespace: S, uid: `uid-${S}-train`},
      type: 'Normal', reason: 'PodExec', source: {component: 'kyverno'},
      message: `${sUser} ran 'nvidia-smi -l' in container trainer`}}]
    return r.result === 'pass' && eq(r.generated, want) ? [] : [`${r.result} ${r.message} ${JSON.stringify(r.generated)}`]
  })
  add('audit: event-on-pod-exec does not fire on attach', () => {
    const got = admit(policies, connect(S, 'train', 'attach', sUser, sGroups), world(bundle))
    return byName(got.results)['event-on-pod-exec'] ? ['it fired'] : []
  })

  // ---- keep-cpu-pods-off-gpu-nodes
  const MP = 'keep-cpu-pods-off-gpu-nodes'
  const affinityOnly = (terms) => ({nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: terms}}})
  const note = {'platform.tend.dev/scheduling': NOTE}
  const mutTable = [
    // [case, pod, expected pod (null: untouched), expected result]
    ['a CPU-only pod without affinity gets the requirement as its only term and the annotation',
      makePod('cpu', E, {owner: 'ReplicaSet'}),
      (p) => { p.spec.affinity = affinityOnly([{matchExpressions: [REQUIREMENT]}]); p.metadata.annotations = note }],
    ['existing annotations are kept, the note is added beside them',
      makePod('cpu', S, {annotations: {'team.example/owner': 'x'}, labels: {app: 'a'}}),
      (p) => { p.spec.affinity = affinityOnly([{matchExpressions: [REQUIREMENT]}]); p.metadata.annotations['platform.tend.dev/scheduling'] = NOTE }],
    ['every existing required term gets the requirement (terms are ORed), matchFields kept',
      makePod('cpu', E, {affinity: affinityOnly([
        {matchExpressions: [{key: 'zone', operator: 'In', values: ['a']}]},
        {matchFields: [{key: 'metadata.name', operator: 'In', values: ['node-1']}]},
        {matchExpressions: [{key: 'arch', operator: 'In', values: ['amd64']}], matchFields: [{key: 'metadata.name', operator: 'NotIn', values: ['n2']}]}])}),
      (p) => {
        const t = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms
        t[0].matchExpressions.push(REQUIREMENT)
        t[1].matchExpressions = [REQUIREMENT]
        t[2].matchExpressions.push(REQUIREMENT)
        p.metadata.annotations = note
      }],
    ['preferred node affinity and pod anti-affinity are kept, required affinity added',
      makePod('cpu', E, {affinity: {
        podAntiAffinity: {requiredDuringSchedulingIgnoredDuringExecution: [{topologyKey: 'kubernetes.io/hostname', labelSelector: {matchLabels: {app: 'a'}}}]},
        nodeAffinity: {preferredDuringSchedulingIgnoredDuringExecution: [{weight: 1, preference: {matchExpressions: [{key: 'ssd', operator: 'Exists'}]}}]}}}),
      (p) => {
        p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {nodeSelectorTerms: [{matchExpressions: [REQUIREMENT]}]}
        p.metadata.annotations = note
      }],
    ['pod anti-affinity only: nodeAffinity is added beside it',
      makePod('cpu', E, {affinity: {podAntiAffinity: {preferredDuringSchedulingIgnoredDuringExecution: []}}}),
      (p) => {
        p.spec.affinity.nodeAffinity = affinityOnly([{matchExpressions: [REQUIREMENT]}]).nodeAffinity
        p.metadata.annotations = note
      }],
    ['an empty affinity {} gets nodeAffinity', makePod('cpu', E, {affinity: {}}),
      (p) => { p.spec.affinity = affinityOnly([{matchExpressions: [REQUIREMENT]}]); p.metadata.annotations = note }],
    ['an empty annotations map gets the note', makePod('cpu', E, {annotations: {}}),
      (p) => { p.spec.affinity = affinityOnly([{matchExpressions: [REQUIREMENT]}]); p.metadata.annotations = note }],
    ['a term that already has the requirement is left as it is',
      makePod('cpu', E, {affinity: affinityOnly([{matchExpressions: [REQUIREMENT]}])}),
      (p) => { p.metadata.annotations = note }],
    ['a GPU pod (limits) is skipped', makePod('gpu', E, {containers: [container('c', gpuLimits)]}), null],
    ['a GPU pod (requests only) is skipped', makePod('gpu', E, {containers: [container('c', {requests: {[GPU]: 2}})]}), null],
    ['a GPU only in an initContainer is skipped', makePod('gpu', E, {initContainers: [container('i', gpuLimits)], containers: [container('c')]}), null],
    ['a GPU in the second container is skipped', makePod('gpu', E, {containers: [container('a'), container('b', gpuLimits)]}), null],
    ['a limit of "0" GPUs counts as asking for GPUs (skipped)', makePod('gpu', E, {containers: [container('c', {limits: {[GPU]: '0'}})]}), null],
    ['a DaemonSet pod is skipped (node agents run on GPU nodes too)', makePod('agent', E, {owner: 'DaemonSet'}), null]
  ]
  for (const [name, pod, edit] of mutTable) {
    add(`mutate: ${name}`, () => {
      const got = admit(policies, podCreate(pod), world(bundle))
      const r = byName(got.results)[MP]
      const problems = []
      if (!r) return [got.notReady[0] || `${MP} did not match`]
      const wantResult = edit ? 'pass' : 'skip'
      if (r.result !== wantResult) problems.push(`${MP}: ${r.result} (${r.message}), want ${wantResult}`)
      const want = clone(pod)
      if (edit) edit(want)
      const diffs = differences(apiServerRoundTrip(got.object), want)
      if (diffs.length) problems.push('pod differs from the expected pod: ' + diffs.join(', '))
      if (!got.allowed) problems.push('denied: ' + got.denials)
      return problems
    })
  }
  add('mutate: applying the policy twice changes nothing more (reinvocationPolicy IfNeeded)', () => {
    const pol = policies.find(p => p.metadata.name === MP)
    if (!pol) return [`no ${MP}`]
    const pod = makePod('cpu', E, {affinity: affinityOnly([{matchExpressions: [{key: 'zone', operator: 'In', values: ['a']}]}])})
    const once = evaluate(pol, podCreate(pod), world(bundle))
    if (!once || !once.object) return [`${MP}: ${once ? once.result : 'no match'}, want a mutation`]
    const twice = evaluate(pol, podCreate(once.object), world(bundle))
    return eq(apiServerRoundTrip(once.object), apiServerRoundTrip(twice.object)) ? [] : [JSON.stringify(twice.object)]
  })
  add('mutate: the JSON patch itself (what Kyverno returns to the API server)', () => {
    const pol = policies.find(p => p.metadata.name === MP)
    if (!pol) return [`no ${MP}`]
    const r = evaluate(pol, podCreate(makePod('cpu', E)), world(bundle))
    const want = [
      {op: 'add', path: '/spec/affinity', value: affinityOnly([{matchExpressions: [REQUIREMENT]}])},
      {op: 'add', path: '/metadata/annotations', value: note}]
    if (!r || !r.patches) return [`${MP}: ${r ? `${r.result} (${r.message})` : 'no match'}, want a patch`]
    return eq(r.patches, want) ? [] : [JSON.stringify(r.patches)]
  })
  for (const [name, req] of [
    ['a pod in a non-tenant namespace (kube-system)', podCreate(makePod('cpu', 'kube-system'))],
    ['a pod in a non-tenant namespace (gpu-operator)', podCreate(makePod('cpu', 'gpu-operator'))],
    ['a pod UPDATE', {...podCreate(makePod('cpu', E)), operation: 'UPDATE', oldObject: makePod('cpu', E)}],
    ['a Deployment CREATE (autogen is off: Git-managed templates are never rewritten)',
      {operation: 'CREATE', resource: {group: 'apps', version: 'v1', resource: 'deployments'}, namespace: E,
        name: 'd', object: {apiVersion: 'apps/v1', kind: 'Deployment', metadata: {name: 'd', namespace: E}},
        userInfo: {username: 'system:serviceaccount:tend-system:tend', groups: []}}],
    ['a pods/binding CREATE (a subresource)', {...podCreate(makePod('cpu', E)), subResource: 'binding'}]]) {
    add(`mutate: not matched: ${name}`, () => {
      const got = admit(policies, req, world(bundle))
      return byName(got.results)[MP] ? [`${MP} matched`] : (eq(got.object, req.object) ? [] : ['object changed'])
    })
  }

  // ---- restrict-policy-exceptions
  const RPE = 'restrict-policy-exceptions'
  const pexReq = (op, user, groups, group = 'policies.kyverno.io', version = 'v1') => ({
    operation: op, resource: {group, version, resource: 'policyexceptions'}, subResource: '',
    namespace: S, name: 'mine', userInfo: {username: user, groups},
    object: op === 'DELETE' ? null : {apiVersion: `${group}/${version}`, kind: 'PolicyException', metadata: {name: 'mine', namespace: S}},
    oldObject: op === 'CREATE' ? null : {apiVersion: `${group}/${version}`, kind: 'PolicyException', metadata: {name: 'mine', namespace: S}}
  })
  const pexTable = [
    ['a tenant creates a PolicyException', pexReq('CREATE', sUser, sGroups), false],
    ['a tenant edits the granted exception', pexReq('UPDATE', sUser, sGroups), false],
    ['a tenant deletes the granted exception', pexReq('DELETE', sUser, sGroups), false],
    ['a tenant creates a kyverno.io/v2 PolicyException', pexReq('CREATE', sUser, sGroups, 'kyverno.io', 'v2'), false],
    ['tend\'s service account creates one', pexReq('CREATE', 'system:serviceaccount:tend-system:tend', ['system:serviceaccounts']), true],
    ['a platform admin deletes one', pexReq('DELETE', 'admin@example.edu', ['platform-admins']), true],
    ['another service account named tend elsewhere is refused', pexReq('CREATE', 'system:serviceaccount:' + S + ':tend', ['system:serviceaccounts']), false]
  ]
  for (const [name, req, allowed] of pexTable) {
    add(`exceptions: ${name} -> ${allowed ? 'allowed' : 'denied'}`, () => expectAdmission(
      admit(policies, req, world(bundle)), allowed
        ? {allowed, results: {[RPE]: 'skip'}}
        : {allowed, results: {[RPE]: 'fail'}, message: {[RPE]: EXCEPTION_MSG}}))
  }
  add('exceptions: other kinds are not matched', () => {
    const req = pexReq('CREATE', sUser, sGroups)
    req.resource = {group: '', version: 'v1', resource: 'configmaps'}
    const got = admit(policies, req, world(bundle))
    return byName(got.results)[RPE] ? ['matched a ConfigMap'] : []
  })

  // Every policy of the bundle has a table.
  const covered = new Set([ENF, AUD, 'audit-pod-exec', 'event-on-pod-exec', MP, RPE])
  add(`every policy of base/platform has a table (${policies.length} policies)`, () =>
    policies.filter(p => !covered.has(p.metadata.name)).map(p => `${p.kind}/${p.metadata.name} has no table`))
  return out
}

// Where two JSON values differ: ["/path: got X, want Y", ...] (at most 3).
export function differences (got, want, path = '', out = []) {
  if (out.length >= 3) return out
  const isObj = (v) => v && typeof v === 'object'
  if (isObj(got) && isObj(want) && Array.isArray(got) === Array.isArray(want)) {
    const keys = [...new Set([...Object.keys(got), ...Object.keys(want)])]
    for (const k of keys) differences(got[k], want[k], `${path}/${k}`, out)
    return out
  }
  if (JSON.stringify(got) !== JSON.stringify(want)) {
    const show = (v) => v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 90)
    out.push(`${path || '/'}: ${show(got)}, want ${show(want)}`)
  }
  return out
}

// The API server drops empty lists of omitempty fields when it decodes the
// patched pod (matchFields: [] is not stored): compare what is stored.
export function apiServerRoundTrip (pod) {
  const p = clone(pod)
  const terms = p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms || []
  for (const t of terms) {
    for (const k of ['matchExpressions', 'matchFields']) if (Array.isArray(t[k]) && !t[k].length) delete t[k]
  }
  return p
}
