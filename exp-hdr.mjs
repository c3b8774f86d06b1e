import { DuckDBInstance } from '@duckdb/node-api';
const inst = await DuckDBInstance.create(process.argv[2] + '/lookout.duckdb', { access_mode: 'READ_ONLY' });
const c = await inst.connect();
for (const g of ['minute', 'hour']) {
  const r = await c.runAndReadAll(`SELECT data FROM summaries_${g} WHERE segment = '' ORDER BY window_start DESC LIMIT 1`);
  const b = new Uint8Array(r.getRows()[0][0].bytes);
  const h = new DataView(b.buffer).getUint32(4, true);
  const s = new TextDecoder().decode(b.subarray(8, 8 + h));
  console.log(g, 'total', b.length, 'header', h);
  const st = JSON.parse(s);
  const [k, f] = Object.entries(st.features)[0];
  console.log(JSON.stringify(f).length, JSON.stringify(f).slice(0, 600));
  const cat = Object.entries(st.features).find(([, v]) => v.c);
  console.log(JSON.stringify(cat).slice(0, 300));
  let t = performance.now(); for (let i = 0; i < 100; i++) JSON.parse(s); console.log('parse ms', ((performance.now() - t) / 100).toFixed(3));
}
