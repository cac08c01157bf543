import {
  ALL_STYLE_NAMES,
  KNOWN_MODELS,
  RETIRED_MODELS,
  findStyle,
  suggest,
  unknownStyleInfo,
  type StyleInfo,
} from '../../catalog.js';
import type { RuleContext, Sourced } from './context.js';

/** The sprite's style as the catalog knows it, and how messages name it. */
export interface ResolvedStyle {
  style: StyleInfo;
  /** As written (absent: RD_FLUX's default). */
  name?: string;
  field?: Sourced<string>;
  /** For messages: `prompt_style X`, or what no style means. */
  label: string;
  /** A family prefix (rd_pro__…) implies its model; the seed's unprefixed names are RD_FLUX's. */
  prefixed: boolean;
}

export function resolveStyle(ctx: RuleContext): ResolvedStyle {
  const field = ctx.get<string>('prompt_style');
  let style: StyleInfo = { ...unknownStyleInfo(''), animated: false };
  let known = true;
  if (field) {
    const found = findStyle(field.value);
    if (found) style = found;
    else {
      style = unknownStyleInfo(field.value);
      known = false;
      if (!ctx.build.allowUnknownStyles) {
        const close = suggest(field.value, ALL_STYLE_NAMES);
        ctx.error('unknown-style', `unknown prompt_style ${JSON.stringify(field.value)}`, field.loc,
          (close.length ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}? ` : '') + 'if the API added this style since, allow it',
          { vite: 'with the plugin option `allowUnknownStyles: true`', cli: 'with --allow-unknown-styles' });
      }
    }
  }
  const name = field?.value;
  if (field && style.userStyle) {
    ctx.warn('user-style', `${field.value} is a user style: it belongs to one RetroDiffusion account, and the catalog cannot check its sizes or counts`, field.loc,
      'a key from another account (a teammate, CI) cannot generate this sprite; commit the cache so they never need to');
  }
  return {
    style,
    name,
    field,
    label: name ? `prompt_style ${name}` : 'RD_FLUX without a prompt_style',
    prefixed: name !== undefined && (known ? style.family !== 'rd_flux' : name.includes('__')),
  };
}

/** `model:` must be one the API knows, and is redundant next to a style that implies its own. */
export function checkModel(ctx: RuleContext, style: ResolvedStyle): Sourced<string> | undefined {
  const field = ctx.get<string>('model');
  if (!field) return undefined;
  const m = field.value;
  if (RETIRED_MODELS[m]) {
    ctx.error('retired-model', `model ${m} was retired by the API`, field.loc, `use model: ${RETIRED_MODELS[m]}`);
  } else if (!(KNOWN_MODELS as readonly string[]).includes(m)) {
    const close = suggest(m, KNOWN_MODELS);
    ctx.error('unknown-model', `unknown model ${JSON.stringify(m)}`, field.loc,
      close.length ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}?` : `known models: ${KNOWN_MODELS.join(', ')}; newer styles imply their model, so model may be left out`);
  } else if (style.prefixed) {
    ctx.warn('model-with-prefixed-style', `${style.label} implies its own model, yet model ${m} is sent too`, field.loc,
      'remove `model:` for this sprite (or from defaults) unless the API asks for it');
  }
  return field;
}
