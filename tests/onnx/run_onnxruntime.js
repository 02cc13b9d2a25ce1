// Runs an ONNX model in onnxruntime (the npm package onnxruntime-node, its prebuilt CPU
// runtime) on float32 .npy inputs and writes the requested outputs as .npy: the proof that
// elman's exported models run in a runtime other than elman.
//
//   node run_onnxruntime.js ORT_MODULE_DIR MODEL.onnx name=in.npy ... -- name=out.npy ...
//
// Exit status 0 on success; 1 with a message on any failure (missing module included).
'use strict';
const fs = require('fs');

function readNpy(path) {
  const b = fs.readFileSync(path);
  if (b.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(path + ': not a .npy file');
  const major = b[6];
  const hlen = major === 1 ? b.readUInt16LE(8) : b.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = b.toString('latin1', start, start + hlen);
  if (!header.includes("'<f4'")) throw new Error(path + ': expected float32 (<f4) data, header ' + header);
  const m = header.match(/'shape': \(([^)]*)\)/);
  const shape = m[1].split(',').map(s => s.trim()).filter(s => s.length).map(Number);
  const n = shape.reduce((a, c) => a * c, 1);
  const off = start + hlen;
  const data = new Float32Array(n);
  for (let i = 0; i < n; ++i) data[i] = b.readFloatLE(off + 4 * i);
  return { shape, data };
}

function writeNpy(path, shape, data) {
  let dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shape.join(', ') + (shape.length === 1 ? ',' : '') + '), }';
  const total = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1; head[7] = 0;
  head.writeUInt16LE(dict.length, 8);
  const body = Buffer.alloc(4 * data.length);
  for (let i = 0; i < data.length; ++i) body.writeFloatLE(data[i], 4 * i);
  fs.writeFileSync(path, Buffer.concat([head, Buffer.from(dict, 'latin1'), body]));
}

async function main() {
  const [ortDir, model, ...rest] = process.argv.slice(2);
  const ort = require(ortDir);
  const sep = rest.indexOf('--');
  const feeds = {}, fetches = [];
  for (const a of rest.slice(0, sep)) {
    const [name, file] = a.split('=');
    const t = readNpy(file);
    feeds[name] = new ort.Tensor('float32', t.data, t.shape);
  }
  for (const a of rest.slice(sep + 1)) fetches.push(a.split('='));
  const session = await ort.InferenceSession.create(model);
  const out = await session.run(feeds);
  for (const [name, file] of fetches) {
    if (!(name in out)) throw new Error('the model has no output ' + name);
    writeNpy(file, out[name].dims, out[name].data);
  }
}

main().catch(e => { console.error('run_onnxruntime: ' + (e && e.message ? e.message : e)); process.exit(1); });
