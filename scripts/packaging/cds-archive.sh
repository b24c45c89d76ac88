#!/bin/sh
# Creates or removes lib/xdperf.jsa, an archive of the application classes that a probe and
# a run with a cached plugin load (dev.xdperf.cli.CdsTraining), which bin/xdperf maps at
# start-up instead of loading and verifying them (about a quarter of the start-up time). It
# belongs to this directory and this jar: create it again after moving the directory.
# The .deb creates it when installed and removes it when removed.
# Usage: lib/cds-archive.sh create|remove
home=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd -P) || exit 1
jsa=$home/lib/xdperf.jsa
case "${1:-}" in
  create)
    rm -f "$jsa" "$jsa.tmp"
    # the training run (dev.xdperf.cli.CdsTraining): a probe, then the frames of the bundled
    # plugins from a compiled-plugin cache that a first process fills; whether the probe
    # succeeds here (no privileges in a chroot) does not matter, the archive is written at exit
    train=$(mktemp -d) || exit 1
    for step in --warm archive; do
      set -- -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djffi.boot.library.path="$home/lib" \
        -Dorg.sqlite.lib.path="$home/lib" -Dorg.sqlite.lib.name=libsqlitejdbc.so
      [ "$step" = archive ] && set -- "$@" -XX:ArchiveClassesAtExit="$jsa.tmp" -Xlog:cds=off -Xlog:cds+dynamic=off
      "$home/runtime/bin/java" "$@" -cp "$home/lib/xdperf.jar" dev.xdperf.cli.CdsTraining "$train" \
        $([ "$step" = --warm ] && echo --warm) >/dev/null 2>&1 </dev/null
    done
    rm -rf "$train"
    if [ -s "$jsa.tmp" ]; then
      mv -f "$jsa.tmp" "$jsa"
    else
      rm -f "$jsa.tmp"
      echo "cds-archive: could not create $jsa; xdperf works without it, only starts slower" >&2
      exit 1
    fi
    ;;
  remove)
    rm -f "$jsa" "$jsa.tmp"
    ;;
  *)
    echo "usage: $0 create|remove" >&2
    exit 2
    ;;
esac
