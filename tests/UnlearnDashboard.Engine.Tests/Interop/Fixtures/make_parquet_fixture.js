// Writes adult_2000.parquet: the header and first 2,000 data rows of the engine's adult.csv, written by
// @dsnp/parquetjs (a JavaScript Parquet implementation), so that the .NET reader is tested on a file that
// another implementation wrote. Run from this folder:
//
//     npm ci && node make_parquet_fixture.js
//
// Numeric columns are INT64, the others UTF8 strings, every column SNAPPY-compressed. A '?' cell
// (Adult's missing value) is written as a null, so the reader's handling of nulls is tested too.
'use strict';

const fs = require('fs');
const path = require('path');
const parquet = require('@dsnp/parquetjs');

const ROWS = 2000;
const NUMERIC = new Set(['age', 'fnlwgt', 'education-num', 'capital-gain', 'capital-loss', 'hours-per-week']);
const source = path.join(__dirname, '..', '..', '..', '..', 'src', 'UnlearnDashboard.Engine', 'Datasets', 'adult.csv');
const target = path.join(__dirname, 'adult_2000.parquet');

async function main() {
  const lines = fs.readFileSync(source, 'utf8').split('\n').filter((line) => line.trim().length > 0);
  const header = lines[0].split(',').map((name) => name.trim());

  const fields = {};
  for (const name of header) {
    fields[name] = { type: NUMERIC.has(name) ? 'INT64' : 'UTF8', optional: true, compression: 'SNAPPY' };
  }
  const schema = new parquet.ParquetSchema(fields);

  const writer = await parquet.ParquetWriter.openFile(schema, target, { rowGroupSize: 500 });
  for (const line of lines.slice(1, ROWS + 1)) {
    const values = line.split(',').map((value) => value.trim());
    const row = {};
    header.forEach((name, i) => {
      if (values[i] === '?') {
        return;
      }
      row[name] = NUMERIC.has(name) ? BigInt(values[i]) : values[i];
    });
    await writer.appendRow(row);
  }
  await writer.close();
  console.log(`wrote ${Math.min(ROWS, lines.length - 1)} rows to ${target}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
