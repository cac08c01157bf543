import { FIELD_DOCS } from './schema.js';
import { DEFAULT_MANIFEST_GLOB } from './load.js';

/**
 * The README's manifest reference, generated from the same table as the schema and the error
 * messages so the three never disagree. A test keeps the README's copy current.
 */
export function manifestReferenceMarkdown(): string {
  const rows = FIELD_DOCS.map((d) =>
    `| \`${d.key}\` | ${d.type.includes('`') ? d.type : d.type.replace(/\|/g, '\\|')} | ${d.default} | ${d.api === '—' ? '— (plugin)' : `\`${d.api.replace(/, /g, '`, `')}\``} | ${d.description} |`);
  return [
    `Manifests are YAML files found with \`${DEFAULT_MANIFEST_GLOB}\` (change it with the plugin's \`manifests\` option or \`--manifests\`).`,
    'Start each with the schema line so editors with the YAML language server autocomplete and check the keys:',
    '',
    '```yaml',
    '# yaml-language-server: $schema=../node_modules/vite-plugin-retro-sprites/schema/manifest.schema.json',
    'atlas: characters          # Phaser texture key; default: the file name (characters.yaml -> characters)',
    'defaults:                  # merged into every sprite below; a sprite\'s own keys win',
    '  prompt_style: game_asset',
    '  size: 64',
    '  remove_bg: true',
    'sprites:',
    '  hero:                    # letters, digits, _ and -; unique within the atlas across all files',
    '    prompt: knight in blue armor',
    '    seed: 42',
    '  hero_walk:',
    '    prompt: knight in blue armor',
    '    prompt_style: animation_four_angle_walking   # 48x48, 4 directions x 4 frames',
    '    input_image: refs/knight.png                 # relative to this manifest',
    '```',
    '',
    'Top level: `atlas` (string, default the file\'s base name; several files may feed one atlas), `defaults`',
    '(any sprite keys), `sprites` (sprite name → keys). Sprite keys carry the API\'s own field names, so',
    'examples from the RetroDiffusion docs can be pasted as they are:',
    '',
    '| key | type | default | API field | meaning |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    'Rules checked before anything is sent: known models (`RD_CLASSIC` is retired) and styles (an unknown',
    'style is an error with "did you mean …", unless `allowUnknownStyles` / `--allow-unknown-styles`),',
    'each style\'s size range and image limit, `strength` in 0..1. Animation styles make one animation per',
    'request at a fixed size: another size is a warning and is normalized (the API ignores it). Input',
    'images must be PNG files inside the project (no absolute paths, no `../` or symlinks out of it).',
    'Every error names `file:line:col` and how to fix it; all errors of a run are reported together.',
    '`npx retro-sprites check` prints the plan (atlases, sprites, sizes, styles, content keys) without',
    'generating anything.',
  ].join('\n');
}
