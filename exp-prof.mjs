import { readFileSync, readdirSync } from 'node:fs';
import { printProfile } from './dist/bench/lib-profile.js';
const d = process.argv[2];
const f = readdirSync(d).find((x) => x.endsWith('.cpuprofile'));
printProfile('profile', JSON.parse(readFileSync(d + '/' + f, 'utf8')), 30);
