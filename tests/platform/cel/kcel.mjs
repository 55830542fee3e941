// kcel.mjs — the Kubernetes/Kyverno CEL environment the platform tests
// evaluate policies in, on @marcbachmann/cel-js (a real CEL parser, type
// checker and evaluator).
//
// Only what the platform bundle uses is here, each piece with a unit test
// in unit.mjs:
//   - the variables Kyverno declares: object, oldObject, namespaceObject
//     (dyn), request (typed, as Kyverno's RequestType), variables (lazy),
//     resource.Get(apiVersion, resource, namespace, name) and
//     generator.Apply(namespace, objects), answered from a fake cluster;
//   - JSONPatch{op:, path:, from:, value:} values (Kubernetes'
//     MutatingAdmissionPolicy type): cel-js has no struct-construction
//     syntax, so rewriteStructs() turns each JSONPatch{...} into a call of a
//     typed constructor function before parsing;
//   - Kubernetes' homogeneous aggregate literals: a list or map literal
//     mixing concrete types ({"k": "v", "l": ["x"]}) is a compile error in
//     Kubernetes and Kyverno, so it is one here. cel-js is stricter than
//     cel-go where one side is dyn (cel-go joins to dyn), so such an error
//     is re-checked without the rule.
// Any function, method or macro outside ALLOWED is refused at compile time
// ("fails loudly"), so a policy cannot silently rely on something this
// evaluator does not model.
import {Environment} from '@marcbachmann/cel-js'

// Functions, methods and macros the bundle uses (and the unit tests cover).
export const ALLOWED = new Set([
  'has', 'exists', 'all', 'filter', 'map', 'size', 'dyn', 'join', 'orValue', 'hasValue',
  'Get', 'Apply'
])

const JSONPATCH_FIELDS = ['op', 'path', 'from', 'value']
const JSONPATCH_TYPES = {op: 'string', path: 'string', from: 'string', value: 'dyn'}

export class Resource {
  constructor (cluster) { this.cluster = cluster || {} }
}
export class Generator {
  constructor () { this.applied = [] }
}

const REQUEST_SCHEMA = {
  uid: 'string',
  operation: 'string',
  name: 'string',
  namespace: 'string',
  subResource: 'string',
  dryRun: 'bool',
  kind: {group: 'string', version: 'string', kind: 'string'},
  resource: {group: 'string', version: 'string', resource: 'string'},
  userInfo: {username: 'string', uid: 'string', groups: 'list<string>'}
}

function makeEnv (homogeneous) {
  const env = new Environment({enableOptionalTypes: true, homogeneousAggregateLiterals: homogeneous})
    .registerVariable('object', 'dyn')
    .registerVariable('oldObject', 'dyn')
    .registerVariable('namespaceObject', 'dyn')
    .registerVariable({name: 'request', schema: REQUEST_SCHEMA})
    .registerVariable('variables', 'map<string, dyn>')
    .registerType('kyverno.resource', Resource)
    .registerVariable('resource', 'kyverno.resource')
    .registerType('kyverno.generator', Generator)
    .registerVariable('generator', 'kyverno.generator')
    .registerType('JSONPatch', {fields: JSONPATCH_TYPES})
  const s = (name, type) => ({name, type})
  env.registerFunction({
    name: 'Get',
    receiverType: 'kyverno.resource',
    returnType: 'map<string, dyn>',
    params: [s('apiVersion', 'string'), s('resource', 'string'), s('namespace', 'string'),
      s('name', 'string')],
    handler: (r, apiVersion, resource, namespace, name) => {
      const key = [apiVersion, resource, namespace, name].join('/')
      const obj = r.cluster[key]
      if (!obj) throw new Error(`resource.Get: ${key} not found`)
      return obj
    }
  })
  env.registerFunction({
    name: 'Apply',
    receiverType: 'kyverno.generator',
    returnType: 'bool',
    params: [s('namespace', 'string'), s('objects', 'list<dyn>')],
    handler: (g, namespace, objects) => {
      for (const o of objects) g.applied.push({namespace, object: toPlain(o)})
      return true
    }
  })
  // One constructor per non-empty subset of JSONPatch's fields, arguments
  // in JSONPATCH_FIELDS order: the checker then types every field.
  for (let mask = 1; mask < 16; mask++) {
    const fields = JSONPATCH_FIELDS.filter((_, i) => mask & (1 << i))
    env.registerFunction({
      name: '__JSONPatch_' + fields.join('_'),
      returnType: 'JSONPatch',
      params: fields.map(f => s(f, JSONPATCH_TYPES[f])),
      handler: (...args) => {
        const p = {}
        fields.forEach((f, i) => { p[f] = args[i] })
        return p
      }
    })
  }
  return env
}

const STRICT = makeEnv(true)
const LENIENT = makeEnv(false)

// ------------------------------------------------------------ struct syntax
// Skips a string literal starting at i (any CEL quoting, r/b prefixes
// handled by the caller treating them as identifiers); returns the index
// after it.
function skipString (src, i) {
  const q = src[i]
  const triple = src.slice(i, i + 3) === q.repeat(3)
  const raw = i > 0 && /[rR]/.test(src[i - 1]) && !/[A-Za-z0-9_]/.test(src[i - 2] || '')
  let j = i + (triple ? 3 : 1)
  while (j < src.length) {
    if (!raw && src[j] === '\\') { j += 2; continue }
    if (triple ? src.slice(j, j + 3) === q.repeat(3) : src[j] === q) return j + (triple ? 3 : 1)
    j++
  }
  throw new Error('unterminated string literal in ' + src)
}

// Index of the bracket closing the one at `open`.
function closing (src, open) {
  let depth = 0
  for (let j = open; j < src.length; j++) {
    const c = src[j]
    if (c === '"' || c === "'") { j = skipString(src, j) - 1; continue }
    if ('([{'.includes(c)) depth++
    else if (')]}'.includes(c) && --depth === 0) return j
  }
  throw new Error('unbalanced brackets in ' + src)
}

// Splits the inside of a struct literal at top-level commas.
function splitTop (body) {
  const parts = []
  let depth = 0
  let start = 0
  for (let j = 0; j < body.length; j++) {
    const c = body[j]
    if (c === '"' || c === "'") { j = skipString(body, j) - 1; continue }
    if ('([{'.includes(c)) depth++
    else if (')]}'.includes(c)) depth--
    else if (c === ',' && depth === 0) { parts.push(body.slice(start, j)); start = j + 1 }
  }
  if (body.slice(start).trim()) parts.push(body.slice(start))
  return parts
}

// JSONPatch{op: a, path: b, value: c} -> __JSONPatch_op_path_value(a, b, c).
// Any other TypeName{...} is refused: the bundle constructs no other type.
export function rewriteStructs (src) {
  let out = ''
  for (let i = 0; i < src.length;) {
    const c = src[i]
    if (c === '"' || c === "'") {
      const end = skipString(src, i)
      out += src.slice(i, end)
      i = end
      continue
    }
    const m = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(src.slice(i))
    if (m && !/[A-Za-z0-9_.]/.test(src[i - 1] || '')) {
      const after = i + m[0].length
      const brace = /^\s*\{/.exec(src.slice(after))
      if (brace && /^[A-Z]/.test(m[0])) {
        if (m[0] !== 'JSONPatch') {
          throw new Error(`constructs ${m[0]}{...}, which tests/platform/cel does not implement`)
        }
        const open = after + brace[0].length - 1
        const close = closing(src, open)
        const fields = {}
        for (const part of splitTop(src.slice(open + 1, close))) {
          const fm = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:([\s\S]*)$/.exec(part)
          if (!fm) throw new Error(`bad JSONPatch field "${part.trim()}"`)
          if (!JSONPATCH_FIELDS.includes(fm[1])) throw new Error(`JSONPatch has no field ${fm[1]}`)
          if (fm[1] in fields) throw new Error(`JSONPatch field ${fm[1]} given twice`)
          fields[fm[1]] = rewriteStructs(fm[2])
        }
        const names = JSONPATCH_FIELDS.filter(f => f in fields)
        if (!names.length) throw new Error('empty JSONPatch{}')
        out += '__JSONPatch_' + names.join('_') + '(' + names.map(f => fields[f]).join(', ') + ')'
        i = close + 1
        continue
      }
      out += m[0]
      i = after
      continue
    }
    out += c
    i++
  }
  return out
}

// ------------------------------------------------------------ compile
function calls (node, found = new Set()) {
  if (Array.isArray(node)) {
    for (const n of node) calls(n, found)
  } else if (node && typeof node === 'object' && 'op' in node) {
    if (node.op === 'call' || node.op === 'rcall') found.add(node.args[0])
    calls(node.args, found)
  }
  return found
}

// Turns cel-js values into plain JSON-like values (ints are BigInt there).
export function toPlain (v) {
  if (typeof v === 'bigint') return Number(v)
  if (Array.isArray(v)) return v.map(toPlain)
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, toPlain(x)]))
  if (v && typeof v === 'object' && !(v instanceof Uint8Array)) {
    const o = {}
    for (const k of Object.keys(v)) o[k] = toPlain(v[k])
    return o
  }
  return v
}

// Compiles one expression as Kyverno would: parse, refuse what is not
// modelled, type-check with homogeneous literals, and require the output
// type `want` ('bool', 'string', 'string|null', 'list<JSONPatch>', or
// null for any). Returns (ctx) => plain value; throws with the reason.
export function compile (expression, want = null) {
  let src
  try {
    src = rewriteStructs(expression)
  } catch (e) {
    throw new Error(`${e.message}: ${expression}`)
  }
  const ast = LENIENT.parse(src).ast
  const unknown = [...calls(ast)].filter(f => !ALLOWED.has(f) && !f.startsWith('__JSONPatch_'))
  if (unknown.length) {
    throw new Error(`uses ${unknown.map(f => f + '()').join(', ')}, which tests/platform/cel ` +
      `does not implement (add it to kcel.mjs with a unit test): ${expression}`)
  }
  let checked = STRICT.check(src)
  let env = STRICT
  if (!checked.valid && /uses wrong type/.test(checked.error.message) &&
      /'dyn'/.test(checked.error.message)) {
    checked = LENIENT.check(src)
    env = LENIENT
  }
  if (!checked.valid) {
    throw new Error(`does not compile: ${checked.error.message.split('\n')[0]}: ${expression}`)
  }
  const type = checked.type
  if (want && !want.split('|').includes(type)) {
    throw new Error(`output is expected to be of type ${want}, is ${type}: ${expression}`)
  }
  const program = env.parse(src)
  return (ctx) => toPlain(program(ctx))
}

// A `variables` object whose entries are evaluated on first use, in the
// context that holds it (later variables may use earlier ones), as
// Kubernetes and Kyverno do. A failing variable fails the expression that
// reads it.
export function lazyVariables (specs, ctx) {
  const vars = {}
  const cache = new Map()
  for (const {name, program} of specs) {
    Object.defineProperty(vars, name, {
      enumerable: true,
      get () {
        if (!cache.has(name)) {
          try {
            cache.set(name, {value: program(ctx)})
          } catch (e) {
            cache.set(name, {error: e})
          }
        }
        const c = cache.get(name)
        if (c.error) throw new Error(`variables.${name}: ${c.error.message}`)
        return toCel(c.value)
      }
    })
  }
  return vars
}

// Back to cel-js values: whole numbers as BigInt ints, as the API server
// decodes JSON integers.
export function toCel (v) {
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v)
  if (Array.isArray(v)) return v.map(toCel)
  if (v && typeof v === 'object') {
    const o = {}
    for (const k of Object.keys(v)) o[k] = toCel(v[k])
    return o
  }
  return v
}
