// Reference RFM scoring with DuckDB (SQL), for bench_rfm.
//
// Usage: node rfm_duckdb.mjs PURCHASES.csv AS_OF(YYYY-MM-DD) WINDOW_DAYS SAMPLE_KEYS.txt
//
// In an in-memory DuckDB database, times
//   read     CREATE TABLE purchases AS SELECT * FROM read_csv(...)
//   compute  CREATE TABLE scores AS <RFM query> FROM purchases
//   pipeline CREATE TABLE scores_from_file AS <RFM query> FROM read_csv(...)
// first with DuckDB's default thread count, then again (compute, pipeline)
// with SET threads = 1. The RFM query is crm_retention_model's definition:
// recency = as-of day - last purchase day, frequency = purchases, monetary =
// sum, over as_of - window < date <= as_of, scores 1 + floor(5 * below / n)
// with below = RANK() - 1 (NTILE would split ties by row order, like pandas'
// qcut over rank "first", which is not our rule).
//
// Before printing times it checks that every run gave the same table. Output
// lines: KEY=VALUE, as rfm_pandas.py (sums and sample.KEY=R,F,M,RECENCY,
// FREQUENCY,MONETARY or sample.KEY=none).
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

const [csv, asOf, windowText, samplePath] = process.argv.slice(2);
if (!samplePath || !/^\d{4}-\d{2}-\d{2}$/.test(asOf) || !/^\d+$/.test(windowText)) {
  console.error('usage: node rfm_duckdb.mjs PURCHASES.csv YYYY-MM-DD WINDOW_DAYS SAMPLE_KEYS.txt');
  process.exit(2);
}
const windowDays = Number(windowText);
const quote = (s) => `'${s.replaceAll("'", "''")}'`;
const source = `read_csv(${quote(csv)}, header = true, ` +
  `columns = {'customer_id': 'VARCHAR', 'date': 'DATE', 'amount': 'DOUBLE'})`;

function rfmQuery(from) {
  return `
    WITH agg AS (
      SELECT customer_id,
             DATE ${quote(asOf)} - MAX(date) AS recency,
             COUNT(*) AS frequency,
             SUM(amount) AS monetary
      FROM ${from}
      WHERE date <= DATE ${quote(asOf)} AND date > DATE ${quote(asOf)} - ${windowDays}
      GROUP BY customer_id
    )
    SELECT customer_id, recency, frequency, monetary,
           1 + (5 * (RANK() OVER (ORDER BY recency DESC) - 1)) // COUNT(*) OVER () AS r,
           1 + (5 * (RANK() OVER (ORDER BY frequency) - 1)) // COUNT(*) OVER () AS f,
           1 + (5 * (RANK() OVER (ORDER BY monetary) - 1)) // COUNT(*) OVER () AS m
    FROM agg`;
}

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const rows = async (sql) => (await con.runAndReadAll(sql)).getRows();
const timed = async (sql) => {
  const start = performance.now();
  await con.run(sql);
  return (performance.now() - start) / 1000;
};

const threads = Number((await rows("SELECT current_setting('threads')"))[0][0]);
const version = (await rows('SELECT version()'))[0][0];
const read = await timed(`CREATE TABLE purchases AS SELECT * FROM ${source}`);
const compute = await timed(`CREATE TABLE scores AS ${rfmQuery('purchases')}`);
const pipeline = await timed(`CREATE TABLE scores_from_file AS ${rfmQuery(source)}`);
await con.run('SET threads = 1');
const compute1 = await timed(`CREATE TABLE scores_1 AS ${rfmQuery('purchases')}`);
const pipeline1 = await timed(`CREATE TABLE scores_from_file_1 AS ${rfmQuery(source)}`);

for (const other of ['scores_from_file', 'scores_1', 'scores_from_file_1']) {
  const differing = (await rows(
    `SELECT COUNT(*) FROM ((SELECT * FROM scores EXCEPT SELECT * FROM ${other}) ` +
    `UNION ALL (SELECT * FROM ${other} EXCEPT SELECT * FROM scores))`))[0][0];
  if (Number(differing) !== 0) {
    console.error(`rfm_duckdb: table ${other} differs from scores in ${differing} rows`);
    process.exit(1);
  }
}

const [total] = await rows(
  'SELECT (SELECT COUNT(*) FROM purchases), COUNT(*), SUM(r)::BIGINT, SUM(f)::BIGINT, ' +
  'SUM(m)::BIGINT, SUM(frequency)::BIGINT, SUM(monetary) FROM scores');
const lines = [
  `duckdb_version=${version}`,
  `threads=${threads}`,
  `rows=${total[0]}`,
  `active=${total[1]}`,
  `read_seconds=${read.toFixed(6)}`,
  `compute_seconds=${compute.toFixed(6)}`,
  `pipeline_seconds=${pipeline.toFixed(6)}`,
  `compute_1thread_seconds=${compute1.toFixed(6)}`,
  `pipeline_1thread_seconds=${pipeline1.toFixed(6)}`,
  `sum_r=${total[2]}`,
  `sum_f=${total[3]}`,
  `sum_m=${total[4]}`,
  `sum_frequency=${total[5]}`,
  `sum_monetary=${Number(total[6]).toFixed(2)}`,
];

const keys = readFileSync(samplePath, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
await con.run('CREATE TABLE sample_keys (customer_id VARCHAR)');
const appender = await con.createAppender('sample_keys');
for (const key of keys) {
  appender.appendVarchar(key);
  appender.endRow();
}
appender.closeSync();
const found = new Map();
for (const [key, r, f, m, recency, frequency, monetary] of await rows(
  'SELECT customer_id, r, f, m, recency, frequency, monetary ' +
  'FROM sample_keys k JOIN scores s USING (customer_id)')) {
  found.set(key, `${r},${f},${m},${recency},${frequency},${Number(monetary).toFixed(2)}`);
}
for (const key of keys) lines.push(`sample.${key}=${found.get(key) ?? 'none'}`);
console.log(lines.join('\n'));
