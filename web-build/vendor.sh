#!/bin/sh
# Copy the browser assets the pages use from node_modules into the package
# (api/static/vendor), with their licences; CodeMirror's scripts minified with terser
# (licence comments kept). Run from web-build/: npm install && npm run vendor
set -eu
cd "$(dirname "$0")"
out=../api/static/vendor
cm=node_modules/codemirror
sw=node_modules/swagger-ui-dist
terser=node_modules/.bin/terser
mkdir -p "$out/codemirror" "$out/swagger-ui"
for src in lib/codemirror mode/sparql/sparql addon/hint/show-hint; do
  "$terser" "$cm/$src.js" -c -m --comments '/license|MIT/' -o "$out/codemirror/$(basename "$src").min.js"
done
cp "$cm/lib/codemirror.css" "$cm/addon/hint/show-hint.css" "$cm/LICENSE" "$out/codemirror/"
cp "$sw/swagger-ui-bundle.js" "$sw/swagger-ui-bundle.js.LICENSE.txt" "$sw/swagger-ui.css" \
   "$sw/favicon-32x32.png" "$sw/LICENSE" "$sw/NOTICE" "$out/swagger-ui/"
echo "vendored: $(du -sh "$out" | cut -f1) in $out"
