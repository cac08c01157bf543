// npm pack / publish: the package carries the repository's README and LICENSE (npm shows the
// README on the package page; the license must travel with the code). They live at the root,
// so they are copied here first; plugin/.gitignore keeps the copies out of git.
import { copyFileSync } from 'node:fs';

for (const name of ['README.md', 'LICENSE']) copyFileSync(new URL(`../../${name}`, import.meta.url), new URL(`../${name}`, import.meta.url));
