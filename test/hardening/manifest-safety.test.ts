import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManifestError } from '../../plugin/core/errors.js';
import { encodePng } from '../../plugin/core/image/png.js';
import { loadManifests, type ManifestPlan } from '../../plugin/core/manifest/index.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
const PNG = encodePng({ width: 2, height: 2, data: new Uint8Array(16).fill(180) });

/** A project in `<tmp>/project` beside a secret image in `<tmp>/outside`, with one manifest. */
async function project(manifest: string): Promise<{ root: string; outside: string; file: string }> {
  const base = await tempDir();
  const root = join(base, 'project');
  const outside = join(base, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'secret.png'), PNG);
  await writeProject(root, { 'manifests/m.yaml': manifest });
  await mkdir(join(root, 'manifests', 'refs'), { recursive: true });
  await writeFile(join(root, 'manifests', 'refs', 'ok.png'), PNG);
  return { root, outside, file: join(root, 'manifests', 'm.yaml') };
}

async function load(root: string): Promise<ManifestPlan | ManifestError> {
  try {
    return await loadManifests({ root });
  } catch (err) {
    if (err instanceof ManifestError) return err;
    throw err;
  }
}

function errorsOf(outcome: ManifestPlan | ManifestError): string[] {
  expect(outcome, 'expected the manifest to be refused').toBeInstanceOf(ManifestError);
  return (outcome as ManifestError).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.location.line}:${d.location.column} ${d.code} ${d.message}`);
}

const withInput = (key: string, path: string) => `sprites:\n  hero:\n    prompt: knight\n    size: 32\n    ${key}: ${JSON.stringify(path)}\n`;

describe('manifest paths cannot reach outside the project', () => {
  const cases: [string, string, RegExp][] = [
    ['a ../ climb hidden behind a real folder', 'refs/../../../outside/secret.png', /outside the project root/],
    ['Windows drive path with backslashes', 'C:\\Users\\me\\secret.png', /is an absolute path/],
    ['Windows drive path with forward slashes', 'C:/Users/me/secret.png', /is an absolute path/],
    ['lower-case drive letter', 'c:\\secret.png', /is an absolute path/],
    // On POSIX a backslash is part of a file name, so these stay inside (and are not found); on Windows
    // the same check sees the separators and refuses the climb.
    ['Windows-style ..\\ climb', '..\\..\\outside\\secret.png', /file not found|outside the project root/],
    ['UNC share path', '\\\\server\\share\\secret.png', /file not found|is an absolute path/],
    ['a file: URL', 'file:///etc/passwd', /file not found/],
    ['an absolute path to a real image', '/PLACEHOLDER/outside/secret.png', /is an absolute path/],
  ];
  for (const [what, written, message] of cases) {
    for (const key of ['input_image', 'input_palette']) {
      it(`${key}: ${what} is refused at its line`, async () => {
        const p = await project('');
        const path = written.replace('/PLACEHOLDER/outside', p.outside);
        await writeFile(p.file, withInput(key, path));
        const errors = errorsOf(await load(p.root));
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(new RegExp(`^5:\\d+ `));
        expect(errors[0]).toMatch(message);
      });
    }
  }

  it('a folder symlinked out of the project cannot be read through', async () => {
    const p = await project(withInput('input_image', 'linked/secret.png'));
    await symlink(p.outside, join(p.root, 'manifests', 'linked'));
    expect(errorsOf(await load(p.root))[0]).toMatch(/is a symlink to .*outside the project root/);
  });

  it('a manifest that is itself a symlink to a file outside the project is not read', async () => {
    const p = await project('');
    await writeFile(join(p.outside, 'evil.yaml'), withInput('input_image', 'secret.png'));
    await rm(p.file);
    await symlink(join(p.outside, 'evil.yaml'), p.file);
    expect(errorsOf(await load(p.root))[0]).toMatch(/manifest-outside-root manifest .* is outside the project root/);
  });

  it('a path inside the project, written with ./ and a harmless .., works', async () => {
    const p = await project(withInput('input_image', './refs/../refs/ok.png'));
    const plan = (await load(p.root)) as ManifestPlan;
    expect(plan.requests[0]!.payload.input_image).toMatch(/^iVBOR/);
  });
});

describe('YAML features in manifests', () => {
  it('anchors and merge keys work, own keys win over merged ones', async () => {
    const p = await project([
      'x-base: &base { size: 32, remove_bg: true, prompt: base }',
      'x-big: &big { size: 64 }',
      'sprites:',
      '  hero:',
      '    <<: *base',
      '    prompt: knight',
      '  coin:',
      '    <<: [*big, *base]',
      '',
    ].join('\n'));
    const plan = (await load(p.root)) as ManifestPlan;
    expect(plan).not.toBeInstanceOf(ManifestError);
    const by = Object.fromEntries(plan.requests.map((r) => [r.sprite, r.payload]));
    expect(by.hero).toMatchObject({ prompt: 'knight', width: 32, remove_bg: true });
    expect(by.coin).toMatchObject({ prompt: 'base', width: 64 });
  });

  const tags: [string, string][] = [
    ['!!binary', 'prompt: !!binary aGVsbG8='],
    ['!!js/function', "prompt: !!js/function 'function () { return 1 }'"],
    ['!!python/object', 'prompt: !!python/object:os.system [ls]'],
    ['a local tag', 'prompt: !custom knight'],
    ['!!set', 'prompt: !!set { a, b }'],
    ['!!omap', 'prompt: !!omap [ a: 1 ]'],
    ['a verbatim tag', 'prompt: !<tag:example.com,2000:evil> knight'],
    ['a tag on a mapping', 'origin: !point { x: 0, y: 0 }'],
  ];
  for (const [what, line] of tags) {
    it(`refuses ${what} at its place`, async () => {
      const p = await project(`sprites:\n  hero:\n    size: 32\n    ${line}\n`);
      const errors = errorsOf(await load(p.root));
      expect(errors.some((e) => /^4:\d+ yaml-tag YAML tag .* is not supported/.test(e)), errors.join('\n')).toBe(true);
    });
  }

  it('refuses an alias bomb quickly and without expanding it', async () => {
    const lines = ['x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    const names = 'bcdefghijk';
    for (let i = 0; i < names.length; i++) lines.push(`x-${names[i]}: &${names[i]} [${Array(10).fill(`*${i === 0 ? 'a' : names[i - 1]}`).join(', ')}]`);
    lines.push('sprites:', '  hero:', '    prompt: knight', '    size: 32', '    seed: *k', '');
    const p = await project(lines.join('\n'));
    const before = process.memoryUsage().rss;
    const errors = errorsOf(await load(p.root));
    expect(errors.some((e) => /alias-bomb YAML aliases expand to too much data/.test(e)), errors.join('\n')).toBe(true);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('refuses nesting ten thousand levels deep without a stack overflow', async () => {
    const p = await project(`sprites:\n  hero:\n    prompt: knight\n    size: 32\n    origin: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const errors = errorsOf(await load(p.root));
    expect(errors.length).toBeGreaterThan(0);
  });

  it('a sprite called __proto__ is a located error (Phaser\'s frame tables cannot hold it), not a prototype change; constructor is a name', async () => {
    const p = await project('sprites:\n  __proto__:\n    prompt: knight\n    size: 32\n  constructor:\n    prompt: gem\n    size: 16\n');
    expect(errorsOf(await load(p.root)).join('\n')).toMatch(/2:3 invalid-sprite-name sprite name "__proto__" is reserved/);
    expect(({} as Record<string, unknown>).prompt).toBeUndefined();
    const ok = await project('sprites:\n  constructor:\n    prompt: gem\n    size: 16\n');
    expect(((await load(ok.root)) as ManifestPlan).requests.map((r) => r.sprite)).toEqual(['constructor']);
  });

  for (const [what, text] of [
    ['a merge key pointing at a scalar', 'x-s: &s knight\nsprites:\n  hero:\n    <<: *s\n    prompt: knight\n    size: 32\n'],
    ['a key spelled << holding a number', 'x-notes:\n  <<: 1\nsprites:\n  hero:\n    prompt: knight\n    size: 32\n'],
  ]) {
    it(`${what} is a manifest error, not a crash`, async () => {
      const p = await project(text!);
      expect(errorsOf(await load(p.root)).join('\n')).toMatch(/Merge sources must be maps/);
    });
  }
});
