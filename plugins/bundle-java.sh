#!/usr/bin/env bash
# Bundles the first-party Java (PF4J) plugins into xdperf: OUTDIR/NAME.jar and OUTDIR/NAME.json (its
# manifest), for every plugins/NAME module with artifactId xdperf-plugin-NAME. Run by core/cli's build,
# which depends on those modules so that they are built first.
# Usage: plugins/bundle-java.sh OUTDIR VERSION
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=$1
version=$2
mkdir -p "$out"
for pom in "$here"/*/pom.xml; do
  name=$(sed -n 's|^  <artifactId>xdperf-plugin-\(.*\)</artifactId>|\1|p' "$pom")
  [[ -n $name ]] || continue
  jar=$(dirname "$pom")/target/xdperf-plugin-$name-$version.jar
  if [[ ! -f $jar ]]; then
    echo "bundle-java: $jar is missing: build the $name plugin with xdperf (mvn -pl core/cli -am ...)" >&2
    exit 1
  fi
  cp "$jar" "$out/$name.jar"
  [[ -f $(dirname "$pom")/manifest.json ]] || { echo "bundle-java: $(dirname "$pom")/manifest.json is missing (the $name plugin's manifest)" >&2; exit 1; }
  cp "$(dirname "$pom")/manifest.json" "$out/$name.json"
  echo "bundle-java: $out/$name.jar, $out/$name.json"
done
