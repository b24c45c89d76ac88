// Replays the cases a native plugin test recorded (--dump DIR) through the plugin's .wasm
// build, under a small stand-in for the Extism kernel, and compares byte for byte: the
// template set (or the error message) of every request, and describe's JSON. Also checks
// that the module imports only Extism kernel functions with the kernel's exact signatures,
// and exports what docs/abi.md asks for.
//
// usage: node plugins/test/run_wasm.mjs PLUGIN.wasm DUMPDIR
import fs from 'node:fs';
import path from 'node:path';

const [wasmPath, dumpDir] = process.argv.slice(2);
if (!wasmPath || !dumpDir) {
  console.error('usage: node run_wasm.mjs PLUGIN.wasm DUMPDIR');
  process.exit(2);
}
const name = path.basename(wasmPath, '.wasm');
let passed = 0, failed = 0;
function check(cond, what) {
  if (cond) passed++;
  else { failed++; console.error(`FAIL ${name}.wasm: ${what}`); }
}

// ---- Signatures, read from the binary (the JS API does not show them) -------------------

// The Extism kernel's functions as the host links them ("extism:host/env").
const KERNEL = {
  input_length: '()->(i64)',
  input_load_u8: '(i64)->(i32)',
  input_load_u64: '(i64)->(i64)',
  alloc: '(i64)->(i64)',
  free: '(i64)->()',
  length: '(i64)->(i64)',
  store_u8: '(i64,i32)->()',
  store_u64: '(i64,i64)->()',
  load_u8: '(i64)->(i32)',
  load_u64: '(i64)->(i64)',
  output_set: '(i64,i64)->()',
  error_set: '(i64)->()',
};
const EXPORTS = { xdperf_abi_version: '()->(i32)', describe: '()->(i32)', generate: '()->(i32)' };

function signatures(bytes) {
  let at = 8;
  const u8 = () => bytes[at++];
  const leb = () => { let v = 0, s = 0, b; do { b = bytes[at++]; v |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return v >>> 0; };
  const str = () => { const n = leb(); const s = Buffer.from(bytes.subarray(at, at + n)).toString('utf8'); at += n; return s; };
  const VT = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64' };
  const types = [], imports = [], funcs = [], exports = [];
  while (at < bytes.length) {
    const id = u8(), size = leb(), end = at + size;
    if (id === 1) {
      for (let n = leb(); n > 0; n--) {
        u8(); // 0x60
        const params = []; for (let k = leb(); k > 0; k--) params.push(VT[u8()]);
        const results = []; for (let k = leb(); k > 0; k--) results.push(VT[u8()]);
        types.push(`(${params.join(',')})->(${results.join(',')})`);
      }
    } else if (id === 2) {
      for (let n = leb(); n > 0; n--) {
        const module = str(), field = str(), kind = u8();
        if (kind === 0) { const t = leb(); imports.push({ module, field, sig: types[t] }); funcs.push(types[t]); }
        else { imports.push({ module, field, sig: `kind ${kind}` }); if (kind === 1) { u8(); const f = u8(); leb(); if (f & 1) leb(); } else if (kind === 2) { const f = u8(); leb(); if (f & 1) leb(); } else { u8(); u8(); } }
      }
    } else if (id === 3) {
      for (let n = leb(); n > 0; n--) funcs.push(types[leb()]);
    } else if (id === 7) {
      for (let n = leb(); n > 0; n--) { const field = str(), kind = u8(), index = leb(); exports.push({ field, kind, sig: kind === 0 ? funcs[index] : null }); }
    }
    at = end;
  }
  return { imports, exports };
}

const bytes = new Uint8Array(fs.readFileSync(wasmPath));
const sig = signatures(bytes);
for (const imp of sig.imports) {
  check(imp.module === 'extism:host/env' && KERNEL[imp.field] === imp.sig,
    `import ${imp.module}.${imp.field} ${imp.sig} is not an Extism kernel function with that signature`);
}
for (const [field, want] of Object.entries(EXPORTS)) {
  const e = sig.exports.find((x) => x.field === field);
  check(e && e.sig === want, `export ${field} should be ${want}, is ${e ? e.sig : 'missing'}`);
}
check(sig.exports.some((x) => x.field === 'memory' && x.kind === 2), 'exports its memory');

// ---- A stand-in for the Extism kernel -------------------------------------------------

class Kernel {
  constructor() { this.mem = new Uint8Array(1 << 16); this.blocks = new Map(); this.top = 1; this.reset(); }
  reset() { this.input = new Uint8Array(0); this.output = null; this.error = null; }
  block(off, n) { // the block [off, off+n) must lie inside one allocation
    for (const [start, len] of this.blocks) if (off >= start && off + n <= start + len) return;
    throw new Error(`kernel: access to ${off}+${n} outside any allocation`);
  }
  imports() {
    const k = this;
    const inp = (off, n) => { off = Number(off); if (off < 0 || off + n > k.input.length) throw new Error(`kernel: input read ${off}+${n} past ${k.input.length}`); return off; };
    return {
      'extism:host/env': {
        input_length: () => BigInt(k.input.length),
        input_load_u8: (off) => k.input[inp(off, 1)],
        input_load_u64: (off) => { const o = inp(off, 8); return new DataView(k.input.buffer, k.input.byteOffset).getBigUint64(o, true); },
        alloc: (n) => {
          n = Number(n);
          while (k.top + n > k.mem.length) { const m = new Uint8Array(k.mem.length * 2); m.set(k.mem); k.mem = m; }
          const off = k.top; k.top += n; k.blocks.set(off, n); return BigInt(off);
        },
        free: (off) => { k.blocks.delete(Number(off)); },
        length: (off) => BigInt(k.blocks.get(Number(off)) ?? 0),
        store_u8: (off, v) => { off = Number(off); k.block(off, 1); k.mem[off] = v & 0xff; },
        store_u64: (off, v) => { off = Number(off); k.block(off, 8); new DataView(k.mem.buffer).setBigUint64(off, BigInt.asUintN(64, v), true); },
        load_u8: (off) => k.mem[Number(off)],
        load_u64: (off) => new DataView(k.mem.buffer).getBigUint64(Number(off), true),
        output_set: (off, n) => { off = Number(off); n = Number(n); k.block(off, n); k.output = k.mem.slice(off, off + n); },
        error_set: (off) => { off = Number(off); const n = k.blocks.get(off); k.block(off, n); k.error = Buffer.from(k.mem.slice(off, off + n)).toString('utf8'); },
      },
    };
  }
}

const kernel = new Kernel();
const module = new WebAssembly.Module(bytes);
const instance = new WebAssembly.Instance(module, kernel.imports());
const ex = instance.exports;

check(ex.xdperf_abi_version() === 0x10000, `xdperf_abi_version returned ${ex.xdperf_abi_version()}`);

function call(fn, input) {
  kernel.reset();
  kernel.input = input;
  const rc = fn();
  return { rc, output: kernel.output, error: kernel.error };
}

const describe = call(ex.describe, new Uint8Array(0));
const wantDescribe = fs.readFileSync(path.join(dumpDir, 'describe.json'), 'utf8');
check(describe.rc === 0 && describe.output && Buffer.from(describe.output).toString('utf8') === wantDescribe,
  'describe output differs from the native describe_impl');

const cases = fs.readdirSync(dumpDir).filter((f) => f.endsWith('.req')).sort();
// Two rounds on the same instance, as a host that keeps a plugin loaded would call it: each
// call starts its heap afresh, so the second round must not grow memory any further.
let afterFirstRound = 0;
for (let round = 0; round < 2; round++) {
  for (const file of cases) {
    const base = file.slice(0, -4);
    const req = new Uint8Array(fs.readFileSync(path.join(dumpDir, file)));
    const r = call(ex.generate, req);
    const outFile = path.join(dumpDir, `${base}.out`);
    if (fs.existsSync(outFile)) {
      const want = fs.readFileSync(outFile);
      check(r.rc === 0 && r.output && Buffer.compare(Buffer.from(r.output), want) === 0,
        `${base}: template set differs from the native one (rc ${r.rc}, error ${r.error})`);
    } else {
      const want = fs.readFileSync(path.join(dumpDir, `${base}.err`), 'utf8');
      check(r.rc === 1 && r.error === want && r.output === null, `${base}: expected error '${want}', got rc ${r.rc} '${r.error}'`);
    }
  }
  if (round === 0) afterFirstRound = ex.memory.buffer.byteLength;
}
check(ex.memory.buffer.byteLength === afterFirstRound,
  `memory grew from ${afterFirstRound} to ${ex.memory.buffer.byteLength} bytes in a second round of the same calls`);

console.log(`${name}.wasm: ${cases.length} recorded cases replayed`);
console.log(`${name}.wasm: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
