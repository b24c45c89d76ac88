#!/usr/bin/env bash
# Builds the two things an operator installs, both carrying their own Java runtime (no JDK,
# Maven or clang needed where they run):
#
#   target/package/xdperf-VERSION-linux-ARCH.tar.gz   unpack anywhere, run bin/xdperf
#   target/package/xdperf_DEBVERSION_DEBARCH.deb       dpkg -i / apt install ./...deb
#
# Both hold the same tree: bin/xdperf (the launcher), lib/xdperf.jar (core/cli/target/xdperf.jar:
# the application with its BPF objects, WebAssembly and first-party Java plugins and the signed
# first-party releases, less other platforms' native libraries), lib/libjffi-1.2.so
# and lib/libsqlitejdbc.so (the native libraries, so nothing is unpacked into /tmp at run time), lib/cds-archive.sh (creates an archive of the application's classes
# for a faster start; it is tied to the directory, so it cannot ship ready-made) and runtime/
# (a jlink image with just the JDK modules xdperf uses, and the JDK's own CDS archive). The launcher and the .deb's maintainer scripts live in
# scripts/packaging/. The .deb puts the tree in /usr/lib/xdperf, links /usr/bin/xdperf to the
# launcher, creates the class archive when installed and removes it when removed.
#
# VERSION is the Maven project version; snapshots also carry the commit (+gCOMMIT).
#
# Usage: scripts/package.sh [--no-build] [--out DIR] [-- MAVEN_ARGS...]
#   --no-build   package the jar that is already in core/cli/target (e.g. after mvn verify)
#   --out DIR    where the artifacts go (default target/package)
#   MAVEN_ARGS   extra arguments for `mvn -B -DskipTests package`, e.g. -- -o
# Environment: JAVA_HOME (the JDK whose jlink builds the runtime; default: the javac on PATH),
#   XDPERF_DEB_COMPRESSION (gzip, the default, or xz), XDPERF_MAINTAINER (the .deb's Maintainer).
set -euo pipefail
export LC_ALL=C
trap 'echo "package: failed at line $LINENO: $BASH_COMMAND" >&2' ERR
export PATH=$PATH:/usr/sbin:/sbin # ldconfig
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

build=1
out=$repo/target/package
mvn_args=()
while (($#)); do
  case $1 in
    --no-build) build=0 ;;
    --out) out=$(realpath -m "$2"); shift ;;
    --) shift; mvn_args=("$@"); break ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "package: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

die() { echo "package: $*" >&2; exit 1; }

# --- the JDK that builds the runtime image ---------------------------------------------------
if [[ -z "${JAVA_HOME:-}" ]]; then
  javac=$(command -v javac) || die "find the JDK: javac is not on PATH (install openjdk-17-jdk-headless or set JAVA_HOME)"
  JAVA_HOME=$(dirname "$(dirname "$(readlink -f "$javac")")")
fi
for tool in jlink jdeps jar java; do
  [[ -x $JAVA_HOME/bin/$tool ]] || die "find $tool: not in $JAVA_HOME/bin (set JAVA_HOME to a full JDK 17)"
done
[[ -d $JAVA_HOME/jmods ]] || die "build the runtime image: $JAVA_HOME/jmods is missing (jlink needs the JDK's jmods)"
for tool in dpkg-deb zip unzip objdump; do
  command -v $tool >/dev/null || die "find $tool: not installed (scripts/setup.sh)"
done

if ((build)); then
  mvn -B -ntp -DskipTests package "${mvn_args[@]}"
fi
jar=$repo/core/cli/target/xdperf.jar
[[ -f $jar ]] || die "find $jar: build it first (drop --no-build)"

work=$(mktemp -d "${TMPDIR:-/tmp}/xdperf-package.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- version and commit, from the jar itself -------------------------------------------------
(cd "$work" && "$JAVA_HOME/bin/jar" xf "$jar" dev/xdperf/build-info.properties) \
  || die "read the build info from $jar: dev/xdperf/build-info.properties is missing (rebuild core)"
prop() { sed -n "s/^$1=//p" "$work/dev/xdperf/build-info.properties"; }
version=$(prop version)
commit=$(prop commit)
dirty=$(prop commit.dirty)
[[ -n $version && $version != unknown ]] || die "read the version from $jar: none recorded"
suffix=
if [[ $version == *-SNAPSHOT && $commit =~ ^[0-9a-f]{40}$ ]]; then
  suffix=+g${commit:0:12}
  [[ $dirty == true ]] && suffix+=.dirty
fi

machine=$(uname -m)
# ldtag: how ldconfig -p tags this architecture's libraries ("(libc6,x86-64)"); with
# multilib installed the same name also resolves to x32 or i386 copies, which must not count
case $machine in
  x86_64) debarch=amd64 ldtag=x86-64 ;;
  aarch64) debarch=arm64 ldtag=AArch64 ;;
  *) die "package for $machine: only x86_64 and aarch64 are known" ;;
esac
name=xdperf-$version$suffix
# Debian: '~' sorts a snapshot before its release, '-1' is the packaging revision
debversion=${version/-SNAPSHOT/~SNAPSHOT}$suffix-1

# --- the runtime image ------------------------------------------------------------------------
# The modules the jar refers to, as jdeps sees them, except java.desktop (10 MB, for the
# java.beans annotations Jackson looks for and carries on without, and Jetty's opt-in leak
# preventers), plus jdk.crypto.ec, which provides Ed25519 and the EC key exchanges of TLS
# through a service lookup that jdeps cannot see. Everything else jdeps names stays, even
# where only an optional path uses it: a missing module fails just that path, at run time.
echo "package: finding the JDK modules xdperf uses (jdeps)"
modules=$("$JAVA_HOME/bin/jdeps" --multi-release 17 --ignore-missing-deps --list-deps "$jar" \
  | sed 's/^ *//; s|/.*||' | grep -E '^(java|jdk)\.' | grep -vxF java.desktop | sort -u)
modules=$(printf '%s\njdk.crypto.ec\n' "$modules" | sort -u | paste -sd, -)
[[ $modules == *java.base* ]] || die "find the JDK modules: jdeps reported none for $jar"
echo "package: runtime modules $modules"

tree=$work/$name
mkdir -p "$tree/bin" "$tree/lib"
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --output "$tree/runtime" \
  --strip-debug --no-header-files --no-man-pages --compress=2
if command -v strip >/dev/null; then
  # symbol tables only (Debian's libjvm keeps them); nothing the runtime reads
  find "$tree/runtime" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec strip --strip-unneeded {} +
fi
# the default CDS archive: JDK classes mapped instead of loaded, in every xdperf process
"$tree/runtime/bin/java" -Xshare:dump -XX:+UseSerialGC >/dev/null
[[ -f $tree/runtime/lib/server/classes.jsa ]] || die "create the CDS archive: java -Xshare:dump wrote nothing"

# --- the application --------------------------------------------------------------------------
cp "$jar" "$tree/lib/xdperf.jar"
# First-party Java plugins (plugins/NAME with artifactId xdperf-plugin-NAME, PF4J) are built
# before core/cli, which packs each into the jar as /plugins/NAME.jar (plugins/bundle-java.sh):
# check that this jar has them.
java_plugins=()
for pom in "$repo"/plugins/*/pom.xml; do
  plugin=$(sed -n 's|^  <artifactId>xdperf-plugin-\(.*\)</artifactId>|\1|p' "$pom")
  [[ -n $plugin ]] || continue
  unzip -Z1 "$tree/lib/xdperf.jar" "plugins/$plugin.jar" >/dev/null 2>&1 \
    || die "bundle the $plugin plugin: $jar has no plugins/$plugin.jar (rebuild core/cli with -am)"
  java_plugins+=("$plugin")
done
if ((${#java_plugins[@]})); then
  echo "package: bundled Java plugins ${java_plugins[*]}"
fi
# The native libraries the jar carries for every platform: this platform's copies go to lib/,
# where the launcher points their loaders (so nothing is unpacked into /tmp at run time), and
# the other platforms' leave the packaged jar (a third of its size). This platform's stay in
# the jar as well, as the loaders' fallback.
natives=("jni/$machine-Linux/libjffi-1.2.so" "org/sqlite/native/Linux/$machine/libsqlitejdbc.so")
(cd "$work" && "$JAVA_HOME/bin/jar" xf "$jar" "${natives[@]}")
for n in "${natives[@]}"; do
  [[ -f $work/$n ]] || die "find $n in $jar: the build no longer carries it (update natives in $0 and scripts/packaging/xdperf)"
  install -m 0644 "$work/$n" "$tree/lib/$(basename "$n")"
done
foreign=$(unzip -Z1 "$tree/lib/xdperf.jar" | grep -E '^(jni|org/sqlite/native)/.+[^/]$' \
  | grep -vE "^(jni/$machine-Linux|org/sqlite/native/Linux/$machine)/" || true)
if [[ -n $foreign ]]; then
  zip -q -d "$tree/lib/xdperf.jar" $foreign >/dev/null
fi

install -m 0755 "$repo/scripts/packaging/xdperf" "$tree/bin/xdperf"
install -m 0755 "$repo/scripts/packaging/cds-archive.sh" "$tree/lib/cds-archive.sh"
chmod -R u+rwX,go+rX,go-w "$tree"

smoke=$("$tree/bin/xdperf" version) || die "run the packaged xdperf: 'bin/xdperf version' failed"
[[ $smoke == "xdperf $version"* ]] || die "run the packaged xdperf: it says '${smoke%%$'\n'*}', expected version $version"
for plugin in "${java_plugins[@]}"; do
  "$tree/bin/xdperf" plugin describe "$plugin" >/dev/null \
    || die "run the packaged xdperf: 'bin/xdperf plugin describe $plugin' failed"
done

mkdir -p "$out"
rm -f "$out"/xdperf-*.tar.gz "$out"/xdperf_*.deb "$out/SHA256SUMS"

# --- the archive ------------------------------------------------------------------------------
tarball=$out/$name-linux-$machine.tar.gz
tar -C "$work" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball" "$name"

# --- the Debian package -----------------------------------------------------------------------
# Depends: what the bundled binaries link against outside the bundle, plus libbpf (opened
# with dlopen by jnr-ffi) and the tools xdperf runs (ip, ethtool). Every shared library the
# bundle needs must come from the bundle or from one of these packages; checked below.
depends=(libc6 libgcc-s1 libstdc++6 zlib1g libbpf1 iproute2 ethtool)
bundled=$(find "$tree" -name '*.so' -printf '%f\n' | sort -u)
needed=$(find "$tree/runtime" "$tree/lib" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec objdump -p {} + \
  | awk '$1 == "NEEDED" {print $2}' | sort -u)
for lib in $needed; do
  grep -qxF "$lib" <<<"$bundled" && continue
  # read all of ldconfig's output (an early exit would kill it with SIGPIPE, and pipefail us);
  # only this architecture's copy: "libc.so.6 (libc6,x86-64, OS ABI: ...) => /lib/..."
  path=$(ldconfig -p | awk -v l="$lib" -v t="$ldtag" '
    $1 == l && !found { arch = $0; sub(/^[^(]*\([^,)]*,?/, "", arch); sub(/[,)].*$/, "", arch); if (arch == t) { print $NF; found = 1 } }')
  [[ -n $path ]] || die "find $lib (needed by the bundle): not installed on this build host"
  pkg=
  # merged /usr: dpkg may know the file under /lib or /usr/lib
  for p in "$path" "$(readlink -f "$path")"; do
    for q in "$p" "${p#/usr}" "/usr$p"; do
      pkg=$(dpkg -S "$q" 2>/dev/null | awk -F: 'NR == 1 {print $1}') && [[ -n $pkg ]] && break 2
    done
  done
  [[ " ${depends[*]} " == *" $pkg "* ]] \
    || die "declare $lib: it comes from package '${pkg:-unknown}', which is not in Depends (${depends[*]})"
done

# the newest glibc symbol version the bundle uses is the oldest libc6 it runs with
glibc=$(find "$tree/runtime" "$tree/lib" -type f \( -name '*.so' -o -path '*/bin/*' \) -exec objdump -T {} + \
  | { grep -o 'GLIBC_[0-9][0-9.]*' || true; } | sed 's/GLIBC_//' | sort -Vu | tail -1)
if [[ -n $glibc ]]; then depends[0]="libc6 (>= $glibc)"; fi

deb=$work/deb
mkdir -p "$deb/DEBIAN" "$deb/usr/lib" "$deb/usr/bin"
cp -a "$tree" "$deb/usr/lib/xdperf"
ln -s ../lib/xdperf/bin/xdperf "$deb/usr/bin/xdperf"
size=$(du -sk --apparent-size "$deb/usr" | cut -f1)
cat >"$deb/DEBIAN/control" <<EOF
Package: xdperf
Version: $debversion
Architecture: $debarch
Maintainer: ${XDPERF_MAINTAINER:-xdperf developers <xdperf@localhost>}
Installed-Size: $size
Depends: $(printf '%s, ' "${depends[@]}" | sed 's/, $//')
Section: net
Priority: optional
Description: XDP traffic generator and receiver
 xdperf sends millions of packets per second through XDP (BPF_PROG_RUN with
 live frames) on the NIC the kernel already drives, and counts what arrives:
 loss, duplicates, reordering and latency, per stream.
 .
 It carries its own Java runtime in /usr/lib/xdperf; no JDK is needed.
 Commit: $commit.
EOF
(cd "$deb" && find usr -type f -print0 | sort -z | xargs -0 md5sum) >"$deb/DEBIAN/md5sums"
install -m 0755 "$repo/scripts/packaging/postinst" "$repo/scripts/packaging/prerm" "$deb/DEBIAN/"
debfile=$out/xdperf_${debversion}_$debarch.deb
# gzip: the runtime's modules and the jar are compressed already, so xz saves under 10%
# (37 against 40 MB) and takes ten times as long; XDPERF_DEB_COMPRESSION=xz for that
dpkg-deb --root-owner-group "-Z${XDPERF_DEB_COMPRESSION:-gzip}" --build "$deb" "$debfile" >/dev/null

(cd "$out" && sha256sum "$(basename "$tarball")" "$(basename "$debfile")" >SHA256SUMS)
echo "package: $tarball ($(du -k "$tarball" | cut -f1) KiB)"
echo "package: $debfile ($(du -k "$debfile" | cut -f1) KiB)"
echo "package: unpacked $(du -sk "$tree" | cut -f1) KiB, runtime $(du -sk "$tree/runtime" | cut -f1) KiB"
