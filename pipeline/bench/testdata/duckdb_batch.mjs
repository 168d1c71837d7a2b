// The batch job's cleaning done by DuckDB, the reference `batch run` is compared against: it
// reads the landings of the three topics (the S3 sink's layout, as `pintui seed --landings`
// writes it), drops rows that repeat an earlier row whole, cleans them as the README's
// Cleaning section says and writes the three tables as Snappy Parquet, on 2 threads.
//
//   node duckdb_batch.mjs LANDINGS OUT [LAKEHOUSE]
//
// With LAKEHOUSE (the lakehouse folder of a `batch run` over the same landings, on a fresh data
// dir) it also reads the batch tables' data files and counts the rows each side has that the
// other lacks, which proves the same cleaning and that DuckDB reads pintui's Parquet. It prints
// one JSON document: the seconds the cleaning took, the rows of each table and the mismatches.
// DuckDB comes from the ignored .ci/npm folder (DUCKDB_NPM overrides it):
//
//   npm install --prefix .ci/npm --no-audit --no-fund @duckdb/node-api@1.5.6-r.1
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const npm = resolve(process.env.DUCKDB_NPM ?? join(here, '../../../.ci/npm'));
const [landings, out, lakehouse] = process.argv.slice(2);
if (!landings || !out) {
  console.error('usage: node duckdb_batch.mjs LANDINGS OUT [LAKEHOUSE]');
  process.exit(2);
}
if (!existsSync(join(npm, 'node_modules/@duckdb/node-api'))) {
  console.error(`duckdb_batch: @duckdb/node-api is not installed in ${npm}: run npm install --prefix ${npm} --no-audit --no-fund @duckdb/node-api@1.5.6-r.1`);
  process.exit(1);
}
const { DuckDBInstance } = createRequire(join(npm, 'package.json'))('@duckdb/node-api');

// topicGlob finds the landings of a topic, <uid>.<topic>, whatever the uid.
function topicGlob(topic) {
  const topics = join(resolve(landings), 'topics');
  const dir = readdirSync(topics).find((d) => d.endsWith(`.${topic}`));
  if (!dir) {
    console.error(`duckdb_batch: no landings of topic ${topic} under ${topics}`);
    process.exit(1);
  }
  return join(topics, dir, 'partition=*', '*.json');
}

const q = (s) => `'${s.replaceAll("'", "''")}'`;

// A datetime as the cleaning reads it: `YYYY-MM-DD HH:MM:SS`, else ISO 8601.
const datetime = (c) => `coalesce(try_strptime(${c}, '%Y-%m-%d %H:%M:%S'), try_cast(${c} AS TIMESTAMP))`;

const tables = {
  pin: {
    columns: `{index: 'BIGINT', unique_id: 'VARCHAR', title: 'VARCHAR', description: 'VARCHAR',
      poster_name: 'VARCHAR', follower_count: 'VARCHAR', tag_list: 'VARCHAR', is_image_or_video: 'VARCHAR',
      image_src: 'VARCHAR', downloaded: 'BIGINT', save_location: 'VARCHAR', category: 'VARCHAR'}`,
    select: `index AS ind, unique_id,
      nullif(title, 'No Title Data Available') AS title,
      nullif(description, 'No description available Story format') AS description,
      CASE
        WHEN regexp_full_match(follower_count, '[0-9]+') THEN try_cast(follower_count AS INTEGER)
        WHEN regexp_full_match(follower_count, '[0-9]+k') THEN try_cast(try_cast(rtrim(follower_count, 'k') AS BIGINT) * 1000 AS INTEGER)
        WHEN regexp_full_match(follower_count, '[0-9]+M') THEN try_cast(try_cast(rtrim(follower_count, 'M') AS BIGINT) * 1000000 AS INTEGER)
      END AS follower_count,
      nullif(poster_name, 'User Info Error') AS poster_name,
      nullif(tag_list, 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e') AS tag_list,
      is_image_or_video,
      nullif(image_src, 'Image src error.') AS image_src,
      CASE WHEN starts_with(save_location, 'Local save in ') THEN save_location[15:] ELSE save_location END AS save_location,
      category`,
  },
  geo: {
    columns: `{ind: 'BIGINT', timestamp: 'VARCHAR', latitude: 'DOUBLE', longitude: 'DOUBLE', country: 'VARCHAR'}`,
    select: `ind, country,
      CASE WHEN latitude IS NOT NULL AND longitude IS NOT NULL THEN [latitude, longitude] END AS coordinates,
      ${datetime('timestamp')} AS timestamp`,
  },
  user: {
    columns: `{ind: 'BIGINT', first_name: 'VARCHAR', last_name: 'VARCHAR', age: 'BIGINT', date_joined: 'VARCHAR'}`,
    select: `ind, first_name || ' ' || last_name AS user_name, age, ${datetime('date_joined')} AS date_joined`,
  },
};

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
mkdirSync(out, { recursive: true });
const result = { threads: 2, seconds: 0, rows: {}, missing_in_pintui: {}, missing_in_duckdb: {} };
const start = process.hrtime.bigint();
for (const [name, t] of Object.entries(tables)) {
  const file = join(resolve(out), `${name}.parquet`);
  await con.run(`COPY (
      SELECT ${t.select}
      FROM (SELECT DISTINCT * FROM read_json(${q(topicGlob(name))}, format = 'newline_delimited', columns = ${t.columns}))
    ) TO ${q(file)} (FORMAT parquet, COMPRESSION snappy)`);
}
result.seconds = Number(process.hrtime.bigint() - start) / 1e9;
for (const name of Object.keys(tables)) {
  const file = q(join(resolve(out), `${name}.parquet`));
  result.rows[name] = Number((await con.runAndReadAll(`SELECT count(*) FROM read_parquet(${file})`)).getRows()[0][0]);
  if (!lakehouse) {
    continue;
  }
  const root = readdirSync(lakehouse).find((d) => d.endsWith(`_${name}_batch`));
  if (!root) {
    console.error(`duckdb_batch: no ${name} batch table under ${lakehouse}`);
    process.exit(1);
  }
  const theirs = q(join(resolve(lakehouse), root, '*.parquet'));
  const count = async (a, b) =>
    Number((await con.runAndReadAll(`SELECT count(*) FROM (SELECT * FROM read_parquet(${a}) EXCEPT ALL SELECT * FROM read_parquet(${b}))`)).getRows()[0][0]);
  result.missing_in_pintui[name] = await count(file, theirs);
  result.missing_in_duckdb[name] = await count(theirs, file);
}
console.log(JSON.stringify(result));
