// Runs one scenario in this process and writes its result as JSON (the runner starts one child per
// scenario, so memory and JIT state never leak from one into the next).
import { writeFileSync } from 'node:fs';
const [name, out, ...flags] = process.argv.slice(2);
const mod = await import(`./scenarios/${name}.mjs`);
const result = await mod.run({ log: (l) => console.error(l), quick: flags.includes('--quick') });
writeFileSync(out, JSON.stringify(result, null, 2));
process.exit(0);
