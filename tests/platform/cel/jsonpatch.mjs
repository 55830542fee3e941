// jsonpatch.mjs — RFC 6902 JSON Patch (add, remove, replace, test, move,
// copy) with RFC 6901 pointers (~1 is "/", ~0 is "~"), applied to a copy:
// what the API server does with a MutatingPolicy's JSONPatch list. A path
// whose parent does not exist is an error, as in the API server.

function parse (path) {
  if (path === '') return []
  if (path[0] !== '/') throw new Error(`JSON pointer ${JSON.stringify(path)} does not start with /`)
  return path.slice(1).split('/').map(t => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function parentOf (doc, tokens, path) {
  let cur = doc
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[index(cur, t, path, false)]
    else if (cur && typeof cur === 'object' && Object.prototype.hasOwnProperty.call(cur, t)) cur = cur[t]
    else throw new Error(`path ${path}: ${t} does not exist`)
    if (cur === undefined) throw new Error(`path ${path}: ${t} does not exist`)
  }
  if (!cur || typeof cur !== 'object') throw new Error(`path ${path}: parent is not an object or array`)
  return cur
}

function index (arr, t, path, forAdd) {
  if (forAdd && t === '-') return arr.length
  if (!/^(0|[1-9][0-9]*)$/.test(t)) throw new Error(`path ${path}: bad array index ${t}`)
  const i = Number(t)
  if (i > arr.length || (!forAdd && i === arr.length)) throw new Error(`path ${path}: index ${i} out of range`)
  return i
}

function get (doc, path) {
  const tokens = parse(path)
  if (!tokens.length) return doc
  const parent = parentOf(doc, tokens, path)
  const last = tokens.at(-1)
  if (Array.isArray(parent)) return parent[index(parent, last, path, false)]
  if (!Object.prototype.hasOwnProperty.call(parent, last)) throw new Error(`path ${path} does not exist`)
  return parent[last]
}

function add (doc, path, value) {
  const tokens = parse(path)
  if (!tokens.length) return value
  const parent = parentOf(doc, tokens, path)
  const last = tokens.at(-1)
  if (Array.isArray(parent)) parent.splice(index(parent, last, path, true), 0, value)
  else parent[last] = value
  return doc
}

function remove (doc, path) {
  const tokens = parse(path)
  const parent = parentOf(doc, tokens, path)
  const last = tokens.at(-1)
  if (Array.isArray(parent)) parent.splice(index(parent, last, path, false), 1)
  else if (Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last]
  else throw new Error(`path ${path} does not exist`)
  return doc
}

const clone = (v) => v === undefined ? v : JSON.parse(JSON.stringify(v))

export function applyPatch (doc, patch) {
  doc = clone(doc)
  for (const op of patch) {
    const value = clone(op.value)
    switch (op.op) {
      case 'add': doc = add(doc, op.path, value); break
      case 'remove': doc = remove(doc, op.path); break
      case 'replace': get(doc, op.path); doc = add(remove(doc, op.path), op.path, value); break
      case 'test':
        if (JSON.stringify(get(doc, op.path)) !== JSON.stringify(value)) throw new Error(`test ${op.path} failed`)
        break
      case 'move': { const v = get(doc, op.from); doc = add(remove(doc, op.from), op.path, v); break }
      case 'copy': doc = add(doc, op.path, clone(get(doc, op.from))); break
      default: throw new Error(`JSON patch op ${JSON.stringify(op.op)}`)
    }
  }
  return doc
}
