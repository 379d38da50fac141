// map-line.js BUNDLE TEXT: the original source:line (from BUNDLE.map) of the
// first line of BUNDLE that contains TEXT
'use strict';

const fs = require('fs');
const { SourceMap } = require('module');

const [file, text] = process.argv.slice(2);
const lines = fs.readFileSync(file, 'utf8').split('\n');
const map = new SourceMap(JSON.parse(fs.readFileSync(`${file}.map`, 'utf8')));
const line = lines.findIndex((l) => l.includes(text));
const entry = line < 0 ? null : map.findEntry(line, lines[line].indexOf(text));

if (!entry || entry.originalSource === undefined) {
    process.stderr.write(`${text}: not found or not mapped\n`);
    process.exit(1);
}

process.stdout.write(`${entry.originalSource.replace(/^.*\/src\//, 'src/')}:${entry.originalLine + 1}\n`);
