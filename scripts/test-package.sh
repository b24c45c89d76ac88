#!/usr/bin/env bash
# Tests the packages that scripts/package.sh built (target/package, or DIR) the way an
# operator uses them, on a host without the build toolchain:
#
#   - in a private mount namespace, the JDK, Maven and LLVM directories are covered with empty
#     file systems and PATH is /usr/sbin:/usr/bin:/sbin:/bin, so `java`, `javac`, `mvn` and
#     `clang` cannot be found (checked); /tmp is a fresh tmpfs, so anything xdperf leaves
#     there shows;
#   - the archive is unpacked and run through a symbolic link: `xdperf version` (this build,
#     running on the bundled runtime) and `xdperf probe` on a veth pair in two fresh network
#     namespaces; its class archive (lib/cds-archive.sh) is created, used, made stale and
#     removed;
#   - the .deb is installed with dpkg -i (its postinst creates the class archive) and runs
#     `xdperf version`, `xdperf probe`, `xdperf registry admin ... list` (SQLite), `xdperf
#     plugin describe` for every bundled plugin (WebAssembly and Java) and `xdperf demo
#     --duration 1` (which makes its own namespace pair), then dpkg -r removes it and nothing
#     of it may remain.
#
# Needs root. Refuses to run if an xdperf package is installed already (it would replace it).
# Usage: scripts/test-package.sh [DIR]
set -euo pipefail
export LC_ALL=C
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=$(realpath -m "${1:-$repo/target/package}")

fail() { echo "test-package: FAIL: $*" >&2; exit 1; }
step() { echo "test-package: $*"; }

[[ $(id -u) -eq 0 ]] || fail "run as root (dpkg -i, network namespaces, XDP)"

if [[ -z "${XDPERF_PKGTEST_INNER:-}" ]]; then
  # everything below runs in a private mount namespace, so the covers vanish with it
  exec unshare --mount --propagation private env XDPERF_PKGTEST_INNER=1 bash "${BASH_SOURCE[0]}" "$dir"
fi

shopt -s nullglob
debs=("$dir"/xdperf_*.deb)
tars=("$dir"/xdperf-*-linux-*.tar.gz)
((${#debs[@]} == 1 && ${#tars[@]} == 1)) \
  || fail "expected one .deb and one .tar.gz in $dir, found ${#debs[@]} and ${#tars[@]} (run scripts/package.sh)"
deb=${debs[0]} tarball=${tars[0]}
expected_version=$(dpkg-deb -f "$deb" Version)
if dpkg-query -W -f='${Status}' xdperf 2>/dev/null | grep -q installed; then
  fail "an xdperf package is installed already; remove it first (dpkg -r xdperf)"
fi

# The checkout (and with it the packages) may itself live under /tmp, which a fresh tmpfs is
# about to cover: stage the packages elsewhere and read what the test needs from the checkout now.
stage=$(mktemp -d /var/tmp/xdperf-pkgtest.XXXXXX)
cp "$deb" "$tarball" "$stage"/
deb=$stage/$(basename "$deb") tarball=$stage/$(basename "$tarball")
java_plugins=$(sed -n 's|^  <artifactId>xdperf-plugin-\(.*\)</artifactId>|\1|p' "$repo"/plugins/*/pom.xml)

# --- hide the build toolchain ----------------------------------------------------------------
hide=(/usr/lib/jvm /usr/share/maven /usr/lib/llvm-*)
[[ -n "${JAVA_HOME:-}" && -d $JAVA_HOME ]] && hide+=("$JAVA_HOME")
for d in "${hide[@]}"; do
  [[ -d $d ]] && mount -t tmpfs -o ro,size=4k xdperf-hidden "$d"
done
mount -t tmpfs -o size=512m xdperf-tmp /tmp
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
unset JAVA_HOME CLASSPATH JAVA_TOOL_OPTIONS JDK_JAVA_OPTIONS XDPERF_JAVA_OPTS
for tool in java javac jlink mvn clang; do
  if found=$(command -v "$tool"); then fail "the toolchain is still visible: $tool is $found"; fi
done
step "toolchain hidden: java, javac, jlink, mvn, clang not found on $PATH"

work=/tmp/xdperf-package-test
mkdir -p "$work"
installed=0
namespaces=()
cleanup() {
  for ns in "${namespaces[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  if ((installed)); then dpkg -r xdperf >/dev/null 2>&1 || true; fi
  rm -rf "$stage"
}
trap cleanup EXIT

# Runs xdperf with a bare environment; output in $out, exit code in $rc.
run() {
  local bin=$1; shift
  set +e
  out=$(env -i PATH="$PATH" HOME=/root "$bin" "$@" 2>&1)
  rc=$?
  set -e
}
expect_ok() { ((rc == 0)) || fail "$1 exited $rc:"$'\n'"$out"; }

check_version() {
  local bin=$1 home=$2
  run "$bin" version
  expect_ok "xdperf version ($bin)"
  # first line: nothing (a JVM warning) may come before it on stdout
  [[ $(head -1 <<<"$out") =~ ^xdperf\ [0-9] ]] || fail "xdperf version: does not start with the version:"$'\n'"$out"
  grep -qE '^template ABI +[0-9]+\.[0-9]+' <<<"$out" || fail "xdperf version: no template ABI:"$'\n'"$out"
  grep -qE '^control protocol +[0-9]+' <<<"$out" || fail "xdperf version: no control protocol:"$'\n'"$out"
  grep -qE '^commit +[0-9a-f]{12}|^commit +unknown' <<<"$out" || fail "xdperf version: no commit:"$'\n'"$out"
  # the bundled runtime, not some java on the machine
  [[ $(grep '^java ' <<<"$out") == *" ($home/runtime)" ]] || fail "xdperf version: not running on $home/runtime:"$'\n'"$out"
  local v commit
  v=$(sed -n '1s/^xdperf //p' <<<"$out")
  commit=$(awk '$1 == "commit" {print $2}' <<<"$out")
  # the .deb's version is the Maven version with ~ for - and, for snapshots, +gCOMMIT
  [[ ${expected_version%-1} == "${v/-SNAPSHOT/~SNAPSHOT}"* ]] \
    || fail "xdperf version says $v, the package is $expected_version"
  if [[ $expected_version == *+g* ]]; then
    [[ $expected_version == *"+g${commit%-dirty}"* ]] || fail "xdperf version says commit $commit, the package is $expected_version"
  fi
}

# `xdperf probe --dev` on one end of a veth pair between two fresh namespaces
check_probe() {
  local bin=$1 a=xdperf-pkg$$-a b=xdperf-pkg$$-b
  ip netns add "$a"; namespaces+=("$a")
  ip netns add "$b"; namespaces+=("$b")
  ip link add xdperf-pa netns "$a" type veth peer name xdperf-pb netns "$b"
  ip -n "$a" link set xdperf-pa up
  ip -n "$b" link set xdperf-pb up
  set +e
  out=$(ip netns exec "$a" env -i PATH="$PATH" HOME=/root "$bin" probe --dev xdperf-pa --json 2>&1)
  rc=$?
  set -e
  expect_ok "xdperf probe --dev xdperf-pa ($bin)"
  grep -q '"ready" : true' <<<"$out" || fail "xdperf probe: not ready:"$'\n'"$out"
  grep -q '"xdp live frames" : "works"' <<<"$out" || fail "xdperf probe: live frames do not work:"$'\n'"$out"
  ip netns del "$a"; ip netns del "$b"
  namespaces=()
}

# --- the archive -----------------------------------------------------------------------------
step "unpacking $(basename "$tarball")"
mkdir -p "$work/opt" "$work/bin"
tar -C "$work/opt" -xzf "$tarball"
home=$(echo "$work"/opt/xdperf-*)
[[ -x $home/bin/xdperf && -x $home/runtime/bin/java && -f $home/lib/xdperf.jar ]] \
  || fail "the archive lacks bin/xdperf, runtime/bin/java or lib/xdperf.jar"
ln -s "$home/bin/xdperf" "$work/bin/xdperf"
check_version "$work/bin/xdperf" "$home"
step "archive: $(head -1 <<<"$out") on its own runtime; probing"
check_probe "$work/bin/xdperf"
step "archive: probe ready on a fresh veth pair; creating the class archive"
env -i PATH="$PATH" HOME=/root "$home/lib/cds-archive.sh" create || fail "lib/cds-archive.sh create failed"
[[ -s $home/lib/xdperf.jsa ]] || fail "lib/cds-archive.sh create made no lib/xdperf.jsa"
check_version "$work/bin/xdperf" "$home"
# an archive that no longer matches its jar is ignored without a word on stdout
touch -d '2001-01-01' "$home/lib/xdperf.jar"
check_version "$work/bin/xdperf" "$home"
env -i PATH="$PATH" "$home/lib/cds-archive.sh" remove
[[ ! -e $home/lib/xdperf.jsa ]] || fail "lib/cds-archive.sh remove left lib/xdperf.jsa"
step "archive: runs with its class archive, and with a stale one"
rm -rf "$work/opt" "$work/bin"

# --- the Debian package ----------------------------------------------------------------------
step "installing $(basename "$deb")"
installed=1
dpkg -i "$deb" >/dev/null || fail "dpkg -i $(basename "$deb") failed"
dpkg-query -W -f='${Status}' xdperf | grep -q "install ok installed" || fail "dpkg does not list xdperf as installed"
[[ $(command -v xdperf) == /usr/bin/xdperf ]] || fail "xdperf is not /usr/bin/xdperf after installing"
[[ -s /usr/lib/xdperf/lib/xdperf.jsa ]] || fail "installing did not create the class archive /usr/lib/xdperf/lib/xdperf.jsa"
check_version xdperf /usr/lib/xdperf
step "deb: $(head -1 <<<"$out") on its own runtime; probing"
check_probe xdperf
# the FFI stub comes from the package, not from a copy unpacked into /tmp or the working
# directory, and the class archive postinst made is in use
set +e
out=$(cd / && env -i PATH="$PATH" HOME=/root XDPERF_JAVA_OPTS="-Xlog:library=info -Xlog:cds=info,cds+dynamic=info" \
  xdperf probe 2>&1)
set -e
grep -qF "Loaded library /usr/lib/xdperf/lib/libjffi-1.2.so" <<<"$out" \
  || fail "xdperf did not load its FFI stub from /usr/lib/xdperf/lib:"$'\n'"$(grep -i jffi <<<"$out")"
grep -qF "Opened archive /usr/lib/xdperf/lib/xdperf.jsa" <<<"$out" && ! grep -q "Unable to use shared archive" <<<"$out" \
  || fail "xdperf did not use its class archive:"$'\n'"$(grep -F '[cds' <<<"$out")"
# SQLite (the registry's store) from the package as well
set +e
out=$(cd / && env -i PATH="$PATH" HOME=/root XDPERF_JAVA_OPTS=-Xlog:library=info \
  xdperf registry admin --data "$work/registry" list 2>&1)
rc=$?
set -e
expect_ok "xdperf registry admin --data $work/registry list"
grep -qF "Loaded library /usr/lib/xdperf/lib/libsqlitejdbc.so" <<<"$out" \
  || fail "xdperf did not load SQLite from /usr/lib/xdperf/lib:"$'\n'"$(grep -i sqlite <<<"$out")"
rm -rf "$work/registry"
step "deb: probe ready on a fresh veth pair; FFI stub, SQLite and class archive from /usr/lib/xdperf/lib"
# the bundled plugins: WebAssembly ones from the jar, Java (PF4J) ones added by package.sh
run xdperf plugin list
expect_ok "xdperf plugin list"
list=$out
plugins=(tcp icmp $java_plugins)
for plugin in "${plugins[@]}"; do
  grep -qE "^$plugin .*bundled" <<<"$list" || fail "xdperf plugin list: $plugin is not bundled:"$'\n'"$list"
  run xdperf plugin describe "$plugin"
  expect_ok "xdperf plugin describe $plugin"
done
step "deb: bundled plugins ${plugins[*]} listed and described; running the demo"
run xdperf demo --duration 1
expect_ok "xdperf demo --duration 1"
received=$(sed -nE 's/.*received ([0-9]+) packets of ([0-9]+) sent.*/\1/p' <<<"$out" | tail -1)
[[ -n $received && $received -gt 0 ]] || fail "xdperf demo: no packets received:"$'\n'"$out"
step "deb: demo received $received packets"
# the demo names its namespaces; they must be gone (other runs' namespaces are not ours to judge)
demo_ns=$(grep -oE 'xdperf-[0-9]+-[cs]' <<<"$out" | sort -u)
[[ -n $demo_ns ]] || fail "xdperf demo: did not name its namespaces:"$'\n'"$out"

# --- nothing left behind ---------------------------------------------------------------------
leftovers=$(find /tmp -mindepth 1 -maxdepth 1 ! -name "$(basename "$work")" ! -name 'hsperfdata_*' -print)
[[ -z $leftovers ]] || fail "xdperf left files in /tmp: $leftovers"
dpkg -r xdperf >/dev/null || fail "dpkg -r xdperf failed"
installed=0
if dpkg-query -W -f='${Status}' xdperf 2>/dev/null | grep -q installed; then fail "xdperf is still installed after dpkg -r"; fi
for p in /usr/lib/xdperf /usr/bin/xdperf; do
  [[ -e $p || -L $p ]] && fail "$p is left after dpkg -r"
done
hash -r
if command -v xdperf >/dev/null; then fail "xdperf is still on PATH after dpkg -r: $(command -v xdperf)"; fi
for ns in $demo_ns; do
  [[ -e /run/netns/$ns ]] && fail "xdperf demo left its network namespace $ns behind"
done
step "removed cleanly: no /usr/lib/xdperf, no /usr/bin/xdperf, nothing in /tmp, no namespaces"
step "PASS"
