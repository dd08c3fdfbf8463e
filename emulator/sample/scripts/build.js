// Copies the sources to dist/ with a banner: a "build" that needs nothing but Node.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';

mkdirSync('dist', { recursive: true });
const source = readFileSync('src/greet.js', 'utf8');
writeFileSync('dist/greet.js', `// built by the sample pipeline\n${source}`);
console.log('built dist/greet.js');
