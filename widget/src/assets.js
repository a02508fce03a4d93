// Where each asset is: widget/build.js gives every asset but gem.js a content-hashed name and builds the
// manifest (logical name → hashed name) into the code that fetches it; a name missing from it is used as it is.
import manifest from 'gem:assets';

export function assetUrl(base, name) {
  return new URL(manifest[name] ?? name, base).href;
}
