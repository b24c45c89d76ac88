#!/usr/bin/env python3
"""Runs the command blocks of README.md and docs/*.md and checks the output they show.

Usage: scripts/doc-test.py [--list] [FILE.md ...]      (as root; run by scripts/test.sh)

The markers, the topology and the matching rule are described in docs/contributing.md
("Docs are tests"). In short:
  - ```sh / ```bash blocks run as one bash script (set -e); ```console blocks (or untagged
    blocks whose first line starts with "$ ") run each "$ " command; other blocks are text.
  - An HTML comment right before the fence steers a block:
      <!-- doc-test: skip REASON -->          not run, reported as skipped with REASON
      <!-- doc-test: check -->                compare the output shown (console blocks)
      <!-- doc-test: output -->               (untagged block) the checked output of the
                                              previous block
      <!-- doc-test: host=receiver -->        run on the receiving host (default: sender)
      <!-- doc-test: server -->               start `xdperf server --dev eth1` on the
                                              receiving host for the block
      <!-- doc-test: background -->           keep the block running until the next block
                                              has run, then Ctrl-C it (it must exit 0)
      <!-- doc-test: interrupt=N -->          Ctrl-C every xdperf command after N seconds
      <!-- doc-test: signed -->               needs the signed first-party releases: skipped
                                              when xdperf was built without the first-party
                                              signing key
      <!-- doc-test-prepare: SHELL -->        run SHELL first, in the block's directory
  - Two network namespaces joined by a veth pair stand in for the hosts of the docs: each
    end is called eth1; the sender has 192.0.2.1 (and 192.0.2.10, 2001:db8::1), the receiver
    192.0.2.2 (2001:db8::2) and MAC 02:00:00:00:00:02.
  - `xdperf` (and `./xdperf`) is the checkout's ./xdperf with every --duration above
    DOC_TEST_MAX_DURATION (3 s) cut to it.
  - Output matching: numbers (with their units), hex ids and MACs are masked, runs of blanks
    are one blank; every line shown (except "..." and blank lines) must appear in the
    command's output, in order; the output may have more lines.
"""
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_DURATION = os.environ.get("DOC_TEST_MAX_DURATION", "3")
BLOCK_TIMEOUT = int(os.environ.get("DOC_TEST_BLOCK_TIMEOUT", "120"))
RUN_TAGS = {"sh", "bash", "shell"}
FLAGS = {"check", "output", "server", "background", "signed"}
VALUED = {"host": {"sender", "receiver"}, "interrupt": None}

FENCE = re.compile(r"^(\s*)(```+)\s*([\w-]*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*doc-test(-prepare)?:\s*(.*?)\s*-->\s*$")


class Block:
    def __init__(self, path, line, tag, body, markers, prepare):
        self.path, self.line, self.tag, self.body = path, line, tag, body
        self.markers, self.prepare = markers, prepare
        self.skip = markers.get("skip")
        if tag in RUN_TAGS:
            self.kind = "sh"
        elif tag == "console" or (tag == "" and body and body[0].startswith("$ ")):
            self.kind = "console"
        else:
            self.kind = "text"

    def where(self):
        return f"{os.path.relpath(self.path, REPO)}:{self.line}"


def parse(path):
    """Blocks of one Markdown file; raises ValueError on an unclosed fence or a bad marker."""
    lines = open(path, encoding="utf-8").read().split("\n")
    blocks, markers, prepare, i = [], {}, [], 0
    while i < len(lines):
        m = MARKER.match(lines[i])
        if m:
            if m.group(1):
                prepare.append(m.group(2))
            else:
                words = m.group(2).split()
                if words and words[0] == "skip":
                    markers["skip"] = " ".join(words[1:]) or "no reason given"
                else:
                    for w in words:
                        k, _, v = w.partition("=")
                        if k in FLAGS and not v:
                            markers[k] = True
                        elif k in VALUED and v and (VALUED[k] is None or v in VALUED[k]):
                            markers[k] = v
                        else:
                            raise ValueError(f"{path}:{i + 1}: unknown doc-test marker '{w}'")
            i += 1
            continue
        f = FENCE.match(lines[i])
        if not f:
            if (markers or prepare) and lines[i].strip():
                raise ValueError(f"{path}:{i + 1}: a doc-test marker must stand right before a fence")
            i += 1
            continue
        indent, ticks, tag = f.groups()
        start, body, i = i + 1, [], i + 1
        while i < len(lines) and not re.match(r"^\s*" + ticks + r"\s*$", lines[i]):
            inner = FENCE.match(lines[i])
            if inner and inner.group(3):
                raise ValueError(f"{path}:{i + 1}: a fence that opens a ```{inner.group(3)} block inside the "
                                 f"block opened at line {start}: close that block first")
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        if i >= len(lines):
            raise ValueError(f"{path}:{start}: the code block opened here is never closed")
        blocks.append(Block(path, start, tag, body, markers, prepare))
        markers, prepare, i = {}, [], i + 1
    return blocks


# --- output matching ---------------------------------------------------------------------
UNIT = r"(?:\s?(?:[kMG]?pps|[kMG]?bit/s|[kMG]i?B|ns|µs|us|ms|s|%)(?![\w/]))?"
MASKS = [
    (re.compile(r"\b[0-9a-f]{2}(?::[0-9a-f]{2}){5}\b"), "#"),  # MAC addresses
    (re.compile(r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{7,}\b"), "#"),  # hex ids
    (re.compile(r"[-+]?\d+(?:[.,:]\d+)*" + UNIT), "#"),  # numbers, with a unit if any
    (re.compile(r"(?<=\s)-(?=\s|$)"), "#"),  # "-": a number not known yet
]


def shape(line):
    for rx, rep in MASKS:
        line = rx.sub(rep, line)
    return " ".join(line.split())


def match(expected, actual):
    """None when every shown line appears in order in actual, else the first missing line."""
    got = [shape(a) for a in actual]
    pos = 0
    for e in expected:
        if not e.strip() or e.strip() == "...":
            continue
        want = shape(e)
        while pos < len(got) and got[pos] != want:
            pos += 1
        if pos == len(got):
            return e
        pos += 1
    return None


# --- the hosts -----------------------------------------------------------------------------
def sh(cmd, check=True):
    return subprocess.run(["bash", "-c", cmd], check=check, capture_output=True, text=True)


class Lab:
    """Two namespaces joined by veth, each end named eth1, with the docs' addresses."""

    def __init__(self):
        tag = f"xdperf-doc{os.getpid()}"
        self.ns = {"sender": f"{tag}-snd", "receiver": f"{tag}-rcv"}
        self.server = None

    def up(self):
        s, r = self.ns["sender"], self.ns["receiver"]
        a, b = f"dt{os.getpid()}a", f"dt{os.getpid()}b"
        cpus = os.cpu_count() or 1
        sh(f"""set -e
ip netns add {s}; ip netns add {r}
ip link add {a} type veth peer name {b}
ip link set {a} netns {s}; ip link set {b} netns {r}
ip -n {s} link set {a} name eth1; ip -n {r} link set {b} name eth1
ip netns exec {r} ethtool -L eth1 rx {cpus} tx {cpus} 2>/dev/null || true
ip netns exec {s} ethtool -L eth1 rx {cpus} tx {cpus} 2>/dev/null || true
ip -n {s} link set eth1 address 02:00:00:00:00:01; ip -n {r} link set eth1 address 02:00:00:00:00:02
ip -n {s} addr add 192.0.2.1/24 dev eth1; ip -n {s} addr add 192.0.2.10/24 dev eth1
ip -n {r} addr add 192.0.2.2/24 dev eth1
ip -n {s} addr add 2001:db8::1/64 dev eth1 nodad; ip -n {r} addr add 2001:db8::2/64 dev eth1 nodad
for n in {s} {r}; do ip -n $n link set lo up; ip -n $n link set eth1 up
  ip netns exec $n ethtool -K eth1 gro on >/dev/null 2>&1 || true; done
ip -n {s} neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev eth1
ip -n {r} neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev eth1
""")

    def down(self):
        self.stop_server()
        for n in self.ns.values():
            sh(f"ip netns del {n}", check=False)

    def start_server(self, env, cwd):
        log = open(os.path.join(cwd, ".doc-test-server.log"), "w+")
        self.server = (subprocess.Popen(["ip", "netns", "exec", self.ns["receiver"], "xdperf", "server", "--dev", "eth1"],
                                        env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True), log)
        for _ in range(100):
            if ":5210 " in sh(f"ip netns exec {self.ns['receiver']} ss -ltnH", check=False).stdout:
                return
            if self.server[0].poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("xdperf server did not start listening on port 5210: " + self.stop_server())

    def stop_server(self):
        if not self.server:
            return ""
        proc, log = self.server
        self.server = None
        interrupt(proc)
        log.seek(0)
        return log.read()


def interrupt(proc, wait=15):
    """Ctrl-C for the process group; SIGKILL if it does not end in time. Returns the exit code."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGINT)
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            pass
    return proc.returncode


WRAPPER = r"""#!/usr/bin/env bash
# doc-test's xdperf: the checkout's ./xdperf with every --duration above $DOC_TEST_MAX_DURATION
# seconds cut to it, and Ctrl-C after $DOC_TEST_INTERRUPT seconds when the block asks for it.
secs() { awk -v d="$1" 'BEGIN { if (match(d, /^[0-9.]+/)) { v = substr(d, 1, RLENGTH); u = substr(d, RLENGTH + 1)
  print (u == "ms" ? v / 1000 : u == "m" ? v * 60 : u == "h" ? v * 3600 : v) } else print 0 }'; }
args=() cap=0
for a in "$@"; do
  if ((cap)); then cap=0
    if awk -v a="$(secs "$a")" -v m="$DOC_TEST_MAX_DURATION" 'BEGIN { exit !(a > m) }'; then a=$DOC_TEST_MAX_DURATION; fi
  elif [[ $a == --duration ]]; then cap=1
  elif [[ $a == --duration=* ]] && awk -v a="$(secs "${a#*=}")" -v m="$DOC_TEST_MAX_DURATION" 'BEGIN { exit !(a > m) }'; then
    a=--duration=$DOC_TEST_MAX_DURATION
  fi
  args+=("$a")
done
if [[ -n ${DOC_TEST_INTERRUPT:-} ]]; then
  timeout --preserve-status -s INT -k 15 "$DOC_TEST_INTERRUPT" "$DOC_TEST_REPO/xdperf" "${args[@]}"
  rc=$?; ((rc == 130)) && rc=0  # 130: ended by the Ctrl-C, as the JVM reports it
  exit $rc
fi
exec "$DOC_TEST_REPO/xdperf" "${args[@]}"
"""

MARK = "\x1edoc-test-rc"


def console_script(block):
    """The "$ " commands of a console block, each followed by a marker line with its exit code;
    and, per command, the output lines the block shows for it."""
    cmds, shown, cur = [], [], None
    for line in block.body:
        if line.startswith("$ "):
            cmds.append(line[2:])
            shown.append([])
            cur = "cmd"
        elif cur == "cmd" and cmds[-1].rstrip().endswith("\\"):
            cmds[-1] += "\n" + line
        elif cmds:
            cur = "out"
            shown[-1].append(line)
    script = [f"__doc_rc() {{ printf '\\n{MARK} %s\\n' \"$1\"; }}"]
    for c in cmds:
        script += [c, "__rc=$?; __doc_rc $__rc; (exit $__rc)"]
    return cmds, shown, "\n".join(script) + "\n"


def split_console(out, n):
    parts, rcs, cur = [], [], []
    for line in out.split("\n"):
        if line.startswith(MARK):
            parts.append(cur[:-1] if cur and cur[-1] == "" else cur)
            rcs.append(int(line.split()[1]))
            cur = []
        else:
            cur.append(line)
    while len(parts) < n:
        parts.append(cur)
        rcs.append(None)
        cur = []
    return parts, rcs


class Runner:
    def __init__(self, tmp):
        self.tmp = tmp
        self.bin = os.path.join(tmp, "bin")
        os.makedirs(self.bin)
        wrapper = os.path.join(self.bin, "xdperf")
        with open(wrapper, "w") as f:
            f.write(WRAPPER)
        os.chmod(wrapper, 0o755)
        self.env = dict(os.environ, DOC_TEST_REPO=REPO, DOC_TEST_MAX_DURATION=MAX_DURATION,
                        PATH=self.bin + ":" + os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                        HOME=os.path.join(tmp, "home"),
                        XDPERF_PLUGIN_DIR=os.path.join(tmp, "home/plugins"),
                        XDPERF_CONFIG_DIR=os.path.join(tmp, "home/config"),
                        XDPERF_CACHE_DIR=os.path.join(tmp, "home/cache"))
        self.env.pop("DOC_TEST_INTERRUPT", None)
        os.makedirs(self.env["HOME"])
        self.results = []

    def workdir(self, path):
        """A directory per Markdown file that looks like the repository root (links to its
        entries, ./xdperf is the wrapper), so files the docs make land outside the checkout."""
        d = os.path.join(self.tmp, re.sub(r"\W", "_", os.path.relpath(path, REPO)))
        os.makedirs(d)
        for e in os.listdir(REPO):
            if e not in (".git", "xdperf"):
                os.symlink(os.path.join(REPO, e), os.path.join(d, e))
        os.symlink(os.path.join(self.bin, "xdperf"), os.path.join(d, "xdperf"))
        return d

    def report(self, block, status, detail=""):
        self.results.append(status)
        print(f"doc-test: {status:4} {block.where()} {detail}".rstrip(), flush=True)

    def spawn(self, lab, block, script, cwd, env):
        ns = lab.ns[block.markers.get("host", "sender")]
        return subprocess.Popen(["ip", "netns", "exec", ns, "bash", "-c", script], cwd=cwd, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)

    def run_file(self, path):
        try:
            blocks = parse(path)
        except ValueError as e:
            print(f"doc-test: FAIL {e}", flush=True)
            self.results.append("FAIL")
            return
        runnable = [b for b in blocks if b.kind != "text" or b.skip]
        if not runnable:
            return
        cwd, lab, background = self.workdir(path), Lab(), None
        previous = None  # (block, output lines) of the block run last, for an output block
        try:
            lab.up()
            for b in blocks:
                if b.skip:
                    self.report(b, "SKIP", b.skip)
                    continue
                if b.markers.get("signed") and not signed_build():
                    why = "this xdperf was built without the first-party signing key (no signed first-party releases in it)"
                    self.report(b, "SKIP", why)   # a checkout without the key passes every test
                    continue
                if b.kind == "text":
                    if b.markers.get("output"):
                        if previous is None:
                            self.report(b, "FAIL", "output block without a block run before it")
                        else:
                            missing = match(b.body, previous[1])
                            self.report(b, "PASS" if missing is None else "FAIL",
                                        f"(output of {previous[0].where()})" if missing is None else
                                        f"output of {previous[0].where()}: line not printed: {missing!r}\n"
                                        + tail(previous[1]))
                    continue
                previous = None
                t0 = time.monotonic()
                before = netns()
                env = dict(self.env)
                if "interrupt" in b.markers:
                    env["DOC_TEST_INTERRUPT"] = b.markers["interrupt"]
                failed = None
                try:
                    for p in b.prepare:
                        r = subprocess.run(["bash", "-ec", p], cwd=cwd, env=env, capture_output=True, text=True)
                        if r.returncode:
                            raise RuntimeError(f"prepare '{p}' failed: {r.stdout}{r.stderr}")
                    if b.markers.get("server"):
                        lab.start_server(env, cwd)
                    if b.kind == "sh":
                        # jobs the block leaves in the background (a registry) end with it
                        script = ("set -eo pipefail\ntrap 'kill $(jobs -p) 2>/dev/null || true; wait' EXIT\n"
                                  + "\n".join(b.body) + "\n")
                    else:
                        cmds, shown, script = console_script(b)
                    proc = self.spawn(lab, b, script, cwd, env)
                    if b.markers.get("background"):
                        # up once it has said something (a server: "listening on port ...")
                        ready = select.select([proc.stdout], [], [], 60)[0]
                        first = proc.stdout.readline() if ready else ""
                        if not first:
                            interrupt(proc)
                            raise RuntimeError("background block printed nothing in 60 s, or ended")
                        background = (b, proc)
                        continue
                    try:
                        out, _ = proc.communicate(timeout=BLOCK_TIMEOUT)
                    except subprocess.TimeoutExpired:
                        interrupt(proc)
                        out = proc.stdout.read()
                        raise RuntimeError(f"still running after {BLOCK_TIMEOUT} s\n" + tail(out.split("\n")))
                    lines = out.split("\n")
                    if b.kind == "sh":
                        if proc.returncode:
                            failed = f"exit code {proc.returncode}\n" + tail(lines)
                        previous = (b, lines)
                    else:
                        parts, rcs = split_console(out, len(cmds))
                        for i, c in enumerate(cmds):
                            shows_rc = i + 1 < len(cmds) and cmds[i + 1].strip() == "echo $?"
                            if rcs[i] != 0 and not shows_rc:
                                failed = f"$ {c}\nexit code {rcs[i]}\n" + tail(parts[i])
                                break
                            missing = match(shown[i], parts[i]) if b.markers.get("check") else None
                            if missing is not None:
                                failed = f"$ {c}\nline not printed: {missing!r}\n" + tail(parts[i])
                                break
                        previous = (b, lines)
                except RuntimeError as e:
                    failed = str(e)
                finally:
                    log = lab.stop_server() if b.markers.get("server") else ""
                    if not b.markers.get("background"):
                        # namespaces the block adds itself (ip netns add tx) go, also when it failed
                        named = set(re.findall(r"ip netns add (\S+)", "\n".join(b.body)))
                        for n in (netns() - before) & named:
                            sh(f"ip netns del {n}", check=False)
                if failed and log:
                    failed += "\nserver:\n" + tail(log.split("\n"))
                if background and background[0] is not b:
                    bb, bp = background
                    background = None
                    rc = interrupt(bp)
                    bout = bp.stdout.read()
                    rc = 0 if rc == 130 else rc  # 130: ended by the Ctrl-C, as the JVM reports it
                    self.report(bb, "PASS" if rc == 0 else "FAIL",
                                "(in the background)" if rc == 0 else f"exit code {rc} after Ctrl-C\n" + tail(bout.split("\n")))
                took = f"{time.monotonic() - t0:.1f} s"
                checked = ", output checked" if b.markers.get("check") else ""
                self.report(b, "FAIL" if failed else "PASS", f"({took}{checked})" + ("\n" + failed if failed else ""))
        except (RuntimeError, subprocess.CalledProcessError) as e:
            msg = e.stderr if isinstance(e, subprocess.CalledProcessError) else str(e)
            print(f"doc-test: FAIL {os.path.relpath(path, REPO)}: set up the hosts: {msg}", flush=True)
            self.results.append("FAIL")
        finally:
            if background:
                interrupt(background[1])
                self.report(background[0], "FAIL", "no block ran after this background block")
            lab.down()


def signed_build():
    """Whether the checkout's xdperf.jar carries the signed first-party releases (releases/index.txt)."""
    import zipfile
    jar = os.path.join(REPO, "core/cli/target/xdperf.jar")
    try:
        with zipfile.ZipFile(jar) as z:
            return "releases/index.txt" in z.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


def netns():
    return set(l.split()[0] for l in sh("ip netns list", check=False).stdout.splitlines() if l.strip())


def tail(lines, n=25):
    lines = [l for l in lines if l.strip()]
    return "\n".join("    | " + l for l in lines[-n:])


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        print("usage: scripts/doc-test.py [--list] [FILE.md ...]   (default: README.md and docs/*.md; see docs/contributing.md)")
        return 0
    unknown = [a for a in argv if a.startswith("-") and a != "--list"]
    if unknown:
        print(f"doc-test: unknown option {unknown[0]} (the one option is --list)", file=sys.stderr)
        return 2
    listing = "--list" in argv
    files = [os.path.abspath(a) for a in argv if a != "--list"]
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        print(f"doc-test: {os.path.relpath(missing[0], REPO)} does not exist", file=sys.stderr)
        return 2
    if not files:
        files = [os.path.join(REPO, "README.md")] + sorted(
            os.path.join(REPO, "docs", f) for f in os.listdir(os.path.join(REPO, "docs")) if f.endswith(".md"))
    if listing:
        for f in files:
            for b in parse(f):
                if b.kind != "text" or b.skip or b.markers:
                    print(f"{b.where():28} {b.kind:8} {' '.join(k if v is True else f'{k}={v}' for k, v in b.markers.items())}")
        return 0
    if os.geteuid() != 0:
        if os.environ.get("CI") == "true":
            print("doc-test: FAIL needs root (network namespaces, XDP); CI=true makes this a failure", file=sys.stderr)
            return 1
        print("doc-test: skipped: needs root (network namespaces, XDP)", file=sys.stderr)
        return 0
    if not os.access(os.path.join(REPO, "xdperf"), os.X_OK):
        print("doc-test: FAIL ./xdperf is missing", file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix="xdperf-doc-test.")
    runner = Runner(tmp)
    start = time.monotonic()
    try:
        for f in files:
            runner.run_file(f)
    finally:
        if os.environ.get("DOC_TEST_KEEP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)
    r = runner.results
    print(f"doc-test: {len(r)} blocks: {r.count('PASS')} passed, {r.count('FAIL')} failed, "
          f"{r.count('SKIP')} skipped ({time.monotonic() - start:.0f} s)", flush=True)
    return 1 if "FAIL" in r else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
