"""Runs the documentation's shell blocks, so a command printed in the docs cannot rot unseen.

Rules:
- Files: README.md, DEPLOYMENT.md, CHANGELOG.md and docs/**/*.md (or the files given).
- Blocks: fenced code blocks whose info string starts with bash, sh or shell. Blocks of one file
  run in order, in one scratch directory per file that links the repository's pom.xml, mvnw, .mvn,
  src, docs and target, so `java -jar target/swarmdb.jar ...` and `./mvnw ...` work as shown and
  the databases they create stay out of the working tree. Each block runs with
  `bash -e -o pipefail`, a clean MOAI_* environment and a 10-minute limit.
- A block that cannot run here is preceded by the line
  `<!-- check-docs: skip REASON -->` (blank lines between are allowed); the reason is required
  and printed. Use it only for what needs a Docker engine, a cluster, secrets or the internet.
- A line that is exactly the full build (`./mvnw verify`, optionally with -B/-ntp) is not run
  twice: .ci/run runs it, which this script checks.
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.getcwd()
FENCE = re.compile(r"^(\s*)(```+|~~~+)\s*([A-Za-z0-9_-]*)(.*)$")
SKIP = re.compile(r"^<!--\s*check-docs:\s*skip\s+(.+?)\s*-->\s*$")
FULL_BUILD = re.compile(r"^\./mvnw( -B| -ntp)* verify$")
LINKS = ("pom.xml", "mvnw", ".mvn", "src", "docs", "target", "LICENSE")


def blocks(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    skip_reason = None
    while i < len(lines):
        m = FENCE.match(lines[i])
        sm = SKIP.match(lines[i].strip())
        if sm:
            skip_reason = sm.group(1)
            i += 1
            continue
        if m:
            indent, fence, lang = m.group(1), m.group(2), m.group(3).lower()
            start = i + 1
            body = []
            i += 1
            while i < len(lines) and not lines[i].strip().startswith(fence):
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            if lang in ("bash", "sh", "shell"):
                yield start, "\n".join(body), skip_reason
            skip_reason = None
            i += 1
            continue
        if lines[i].strip():
            skip_reason = None
        i += 1


def first_command(body):
    for line in body.splitlines():
        s = line.strip()
        if s and not s.startswith("#"):
            return s if len(s) <= 90 else s[:87] + "..."
    return "(empty)"


def main(argv):
    list_only = "--list" in argv
    files = [a for a in argv if a != "--list"]
    if not files:
        files = [f for f in ("README.md", "DEPLOYMENT.md", "CHANGELOG.md") if os.path.isfile(f)]
        files += sorted(glob.glob("docs/**/*.md", recursive=True))
    ci_run = " ".join(open(".ci/run", encoding="utf-8").read().split())
    full_build_in_ci = "./mvnw -B -ntp verify" in ci_run
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOAI_")}
    passed = failed = skipped = 0
    for path in files:
        found = list(blocks(path))
        if not found:
            continue
        with tempfile.TemporaryDirectory(prefix="check-docs-") as scratch:
            for name in LINKS:
                if os.path.exists(os.path.join(ROOT, name)):
                    os.symlink(os.path.join(ROOT, name), os.path.join(scratch, name))
            for line_no, body, reason in found:
                where = "%s:%d %s" % (path, line_no, first_command(body))
                if reason:
                    print("SKIP %s (%s)" % (where, reason))
                    skipped += 1
                    continue
                script_lines = []
                for line in body.splitlines():
                    cmd = re.sub(r"\s+#.*$", "", line).strip()
                    if FULL_BUILD.match(cmd):
                        if not full_build_in_ci:
                            print("FAIL %s: .ci/run no longer runs ./mvnw -B -ntp verify" % where)
                            failed += 1
                        script_lines.append(": full build, run by .ci/run")
                    else:
                        script_lines.append(line)
                if list_only:
                    print("RUN  " + where)
                    continue
                try:
                    r = subprocess.run(
                        ["bash", "-e", "-o", "pipefail", "-c", "\n".join(script_lines)],
                        cwd=scratch, env=env, capture_output=True, text=True, timeout=600)
                    ok, output = r.returncode == 0, r.stdout + r.stderr
                    why = "exit %d" % r.returncode
                except subprocess.TimeoutExpired as e:
                    ok, output, why = False, str(e.stdout or "") + str(e.stderr or ""), "timed out"
                if ok:
                    print("PASS " + where, flush=True)
                    passed += 1
                else:
                    print("FAIL %s: %s" % (where, why), flush=True)
                    for out_line in output.strip().splitlines()[-15:]:
                        print("    " + out_line)
                    failed += 1
    print("check-docs: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
