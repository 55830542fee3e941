// run.mjs — the platform policies evaluated with a real CEL engine.
//
// usage: node run.mjs BUNDLE.json [--break NAME]
//
// BUNDLE.json is written by ../check.py: {"platform": [rendered objects of
// the platform], "projects": {name: {namespace, group, labels, objects}}}.
// Prints one PASS/FAIL line per check and ends with "N passed, M failed".
// Runs the unit tests of every CEL piece (unit.mjs), the admission tables
// (cases.mjs), and a self-test: each policy broken on purpose (a
// matchCondition inverted, on a copy) must make the tables fail.
// --break NAME runs the tables against that broken copy instead, to show
// what the failure looks like.
import {readFileSync} from 'node:fs'
import {UNIT} from './unit.mjs'
import {cases} from './cases.mjs'

const [bundlePath, flag, breakName] = process.argv.slice(2)
const bundle = JSON.parse(readFileSync(bundlePath, 'utf8'))

// Deliberate breakage: NAME -> [policy, matchCondition] whose expression is
// negated.
export const BREAKS = {
  'requests-no-gpu': ['keep-cpu-pods-off-gpu-nodes', 'requests-no-gpu'],
  'not-a-daemonset-pod': ['keep-cpu-pods-off-gpu-nodes', 'not-a-daemonset-pod'],
  'not-a-cluster-admin': ['restrict-gpu-pod-exec', 'not-a-cluster-admin'],
  'not-tend-or-a-cluster-admin': ['restrict-policy-exceptions', 'not-tend-or-a-cluster-admin']
}

function broken (name) {
  const [pol, cond] = BREAKS[name]
  const copy = JSON.parse(JSON.stringify(bundle))
  const p = copy.platform.find(o => o.metadata.name === pol)
  const c = p && (p.spec.matchConditions || []).find(m => m.name === cond)
  if (!c) throw new Error(`no matchCondition ${cond} in ${pol}`)
  c.expression = `!(${c.expression})`
  return copy
}

function runChecks (list) {
  const results = []
  for (const [name, fn] of list) {
    let problems
    try {
      problems = fn()
    } catch (e) {
      problems = [e.message]
    }
    results.push({name, problems})
  }
  return results
}

function line ({name, problems}) {
  if (!problems.length) return `PASS ${name}`
  const more = problems.length > 3 ? ` (+${problems.length - 3} more)` : ''
  return `FAIL ${name}: ${problems.slice(0, 3).join('; ')}${more}`
}

function tables (b) {
  try {
    return cases(b)
  } catch (e) {
    return [['admission tables', () => [e.message]]]
  }
}

let results
if (flag === '--break') {
  if (!BREAKS[breakName]) {
    console.error(`--break takes one of ${Object.keys(BREAKS).join(', ')}`)
    process.exit(2)
  }
  console.log(`note: ${BREAKS[breakName][0]}'s matchCondition ${breakName} is inverted on a copy`)
  results = runChecks(tables(broken(breakName)))
} else {
  results = runChecks(UNIT.map(([n, f]) => [`cel unit: ${n}`, f]))
  results.push(...runChecks(tables(bundle)))
  for (const name of Object.keys(BREAKS)) {
    const [pol] = BREAKS[name]
    const got = runChecks(tables(broken(name)))
    const failed = got.filter(r => r.problems.length)
    results.push({
      name: `self-test: ${pol} with matchCondition ${name} inverted fails the tables` +
        (failed.length ? ` (${failed.length} of ${got.length} cases fail, e.g. "${failed[0].name}")` : ''),
      problems: failed.length ? [] : ['every case still passes: the tables cannot see this breakage']
    })
  }
}
for (const r of results) console.log(line(r))
const failed = results.filter(r => r.problems.length).length
console.log(`${results.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
