#!/usr/bin/env python3
"""kilnc on every file of kiln-make-test-models' bad-model corpus.

    bad-corpus.py KILNC CORPUS_DIR OUT_DIR

Each FILE.kiln has FILE.expected: the text its error must contain (empty
for a random bit flip, which may land in weight bits and leave a valid
model). Every rejected file must give exit status 1, one error line that
starts with "kilnc: error: FILE.kiln: " and contains the expected text,
and no output directory; a file kilnc accepts must have no expected text
and give a library and a header. Prints one line per file, then a count.
"""
import os
import subprocess
import sys


def main():
    kilnc, corpus, out = sys.argv[1], sys.argv[2], sys.argv[3]
    names = sorted(f[:-5] for f in os.listdir(corpus) if f.endswith(".kiln"))
    failures = 0
    for name in names:
        with open(os.path.join(corpus, name + ".expected")) as f:
            expected = f.read()
        dest = os.path.join(out, name)
        run = subprocess.run(
            [kilnc, name + ".kiln", "--name", "m", "-o", dest],
            cwd=corpus, capture_output=True, text=True)
        lines = run.stderr.splitlines()
        if run.returncode == 0:
            ok = not expected and sorted(os.listdir(dest)) == ["libm.a",
                                                               "m.h"]
            verdict = "accepted"
        else:
            ok = (run.returncode == 1 and len(lines) == 1 and
                  lines[0].startswith("kilnc: error: " + name + ".kiln: ") and
                  expected in lines[0] and not os.path.exists(dest))
            verdict = "rejected"
        failures += not ok
        print(("" if ok else "FAIL ") + name + ": " + verdict +
              " (status %d)" % run.returncode)
        if not ok:
            print("  stderr: " + run.stderr.strip())
    print("%d files, %d failures" % (len(names), failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
