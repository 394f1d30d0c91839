#!/bin/sh
# Init container of the query and alerting pods (deploy/kubernetes/overlays/host). It copies the site's
# rule files and dashboards, mounted from ConfigMaps, into one folder of regular files beside the
# image's built-in dashboards:
# - a ConfigMap volume holds each key as a symlink into a hidden `..<timestamp>` folder, which the rule
#   loader's folder walk does not follow as a file;
# - dashboards.dir names one folder, so built-ins and site dashboards must sit together (a site file of
#   the same name replaces the built-in).
# The main container then reads provisioned/rules/*.yaml (alerting.ruleFiles) and provisioned/dashboards
# (dashboards.dir), relative to its working directory /app.
set -eu
APP="${APP_DIR:-/app}"
SITE="${SITE_DIR:-/etc/pharos/site}"
OUT="${PROVISIONED_DIR:-/app/provisioned}"
mkdir -p "$OUT/rules" "$OUT/dashboards"
for f in "$APP"/dashboards/*; do
  if [ -f "$f" ]; then cp "$f" "$OUT/dashboards/"; fi
done
for kind in rules dashboards; do
  # The shell's * skips the ConfigMap's hidden ..data and ..<timestamp> entries.
  for f in "$SITE/$kind"/*; do
    if [ -f "$f" ]; then cp -L "$f" "$OUT/$kind/"; fi
  done
done
echo "provisioned $(ls "$OUT/rules" | wc -l) rule file(s), $(ls "$OUT/dashboards" | wc -l) dashboard(s)"
