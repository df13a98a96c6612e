#!/usr/bin/env python3
"""Reference model check: the library (through the avnm CLI) against model.py.

    check.py AVNM N SEED [--keep] [--batch B] [--quiet] [--db]
        Generate N scenario files (gen.py, seeds SEED*1000000 + 0..N-1) into a temporary
        directory and run `AVNM run --json` over them, B files at a time (default 100).
        Every file that does not pass is a disagreement between the library and the model:
        its content and the CLI's failure lines are printed, and with --keep the file is
        kept under tests/model/failures/. Exit 1 if there was any.
        With --db, each file that passes is also run cut in two at a random command, the
        halves one after the other on a fresh journal (`avnm run --db`): the world the
        second half sees is the one the journal rebuilt, which must answer the same.

    check.py AVNM --shrink FILE [-o OUT]
        Remove units (commands and questions) one at a time while the file still fails,
        re-rendering the expectations with the model for the shortened list, and write the
        smallest failing file to OUT (default: FILE with .min.avnm).

The CI run (meson test --suite model) checks 300 files. For a long run:
    python3 tests/model/check.py build/examples/avnm 10000 7 --quiet
(about 10,000 files in a few minutes; use other SEEDs for other files.)
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True      # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gen  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def run_cli(avnm, paths):
    """{path: (status, [(line, message)])} for the files, from one `avnm run --json`."""
    proc = subprocess.run([avnm, 'run', '--json'] + paths, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=600)
    try:
        report = json.loads(proc.stdout.decode('utf-8', 'replace'))
    except ValueError:
        raise SystemExit('avnm run --json gave no JSON (exit %d): %s' %
                         (proc.returncode, proc.stderr.decode('utf-8', 'replace')[:2000]))
    out = {}
    for f in report['files']:
        out[f['file']] = (f['status'], [(x['line'], x['message']) for x in f['failures']])
    return out


def fails(avnm, text):
    """The CLI's failures for one file's text, or None if it passes."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'shrink.avnm')
        with open(path, 'w') as f:
            f.write(text)
        status, failures = run_cli(avnm, [path])[path]
    return failures if status != 0 else None


def shrink(avnm, text):
    """The smallest failing file reachable by removing units one at a time."""
    lets, units = gen.parse_file(text)
    header = [l for l in text.split('\n')[:1] if l.startswith('#')]
    if fails(avnm, text) is None:
        raise SystemExit('the file passes: nothing to shrink')
    changed = True
    while changed:
        changed = False
        i = len(units) - 1
        while i >= 0:
            cand = units[:i] + units[i + 1:]
            out = gen.render(lets, cand, header)
            if out is not None and fails(avnm, out) is not None:
                units = cand
                changed = True
            i -= 1
    # Drop the variables nothing uses any more.
    text = gen.render(lets, units, header)
    used = True
    while used:
        used = False
        body = '\n'.join(l for l in text.split('\n') if not l.startswith('let '))
        lets_text = [l for l in text.split('\n') if l.startswith('let ')]
        for l in lets_text:
            name = l.split()[1]
            others = body + '\n'.join(x for x in lets_text if x != l)
            if not any(_uses(x, name) for x in others.split('\n')):
                lets = [(n, v) for n, v in lets if n != name]
                text = gen.render(lets, units, header)
                used = True
                break
    return text


def _uses(line, name):
    i = line.find('$' + name)
    while i >= 0:
        end = i + 1 + len(name)
        if end == len(line) or not (line[end].isalnum() or line[end] == '_'):
            return True
        i = line.find('$' + name, i + 1)
    return False


def split_for_db(text, rng):
    """Two files that run the text in two runs on one journal (`avnm run --db`): the second
    sees only what the journal kept of the first. It gets the variables again and the
    `as` in force where the first stopped. None if the text has no room for a cut."""
    lines = text.split('\n')
    lets = [l for l in lines if l.startswith('let ')]
    body = [l for l in lines if l and not l.startswith(('let ', '#'))]
    cuts = [i for i in range(1, len(body)) if not body[i].startswith('expect ')]
    if not cuts:
        return None
    i = rng.choice(cuts)
    as_lines = [l for l in body[:i] if l.startswith('as ')]
    first = '\n'.join(lets + body[:i]) + '\n'
    second = '\n'.join(lets + as_lines[-1:] + body[i:]) + '\n'
    return first, second


def check_db(avnm, d, name, text, rng):
    """The failures of running the text split in two on a fresh journal, or None."""
    parts = split_for_db(text, rng)
    if parts is None:
        return None
    journal = os.path.join(d, name + '.journal')
    out = []
    for k, part in enumerate(parts):
        path = os.path.join(d, '%s.part%d.avnm' % (name, k + 1))
        with open(path, 'w') as f:
            f.write(part)
        proc = subprocess.run([avnm, 'run', '--json', '--db', journal, path],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
        report = json.loads(proc.stdout.decode('utf-8', 'replace'))
        for f in report['files']:
            out += [('part %d line %d' % (k + 1, x['line']), x['message'])
                    for x in f['failures']]
    os.remove(journal)
    return (out, parts) if out else None


def check(avnm, n, seed, keep=False, batch=100, quiet=False, db=False):
    start = time.time()
    bad = 0
    commands = 0
    expectations = 0
    ambiguous = {}
    # The journal syncs at each commit: in memory (/dev/shm) that costs nothing.
    shm = '/dev/shm' if os.access('/dev/shm', os.W_OK) else None
    with tempfile.TemporaryDirectory(dir=shm) as d:
        for first in range(0, n, batch):
            paths, texts = [], {}
            for i in range(first, min(n, first + batch)):
                s = seed * 1000000 + i
                text, g = gen.generate(s)
                for k, v in g.r.ambiguous.items():
                    ambiguous[k] = ambiguous.get(k, 0) + v
                path = os.path.join(d, 'model-%d.avnm' % s)
                with open(path, 'w') as f:
                    f.write(text)
                paths.append(path)
                texts[path] = text
            results = run_cli(avnm, paths)
            for path in paths:
                status, failures = results[path]
                text = texts[path]
                commands += sum(1 for l in text.split('\n')
                                if l and not l.startswith(('#', 'let ', 'expect ')))
                expectations += sum(1 for l in text.split('\n') if l.startswith('expect '))
                if status == 0:
                    continue
                bad += 1
                name = os.path.basename(path)
                print('=== disagreement: %s (status %d)' % (name, status))
                if not quiet:
                    sys.stdout.write(text)
                lines = text.split('\n')
                for line, msg in failures:
                    src = lines[line - 1] if 0 < line <= len(lines) else ''
                    print('%s:%d: %s\n    | %s' % (name, line, msg, src))
                if keep:
                    os.makedirs(os.path.join(HERE, 'failures'), exist_ok=True)
                    with open(os.path.join(HERE, 'failures', name), 'w') as f:
                        f.write(text)
            if db:
                rng = random.Random(seed * 7 + first)
                for path in paths:
                    if results[path][0] != 0:
                        continue
                    name = os.path.basename(path)[:-5]
                    got = check_db(avnm, d, name, texts[path], rng)
                    if got is None:
                        continue
                    bad += 1
                    failures, parts = got
                    print('=== disagreement with --db, split in two runs: %s' % name)
                    for where, msg in failures:
                        print('%s %s: %s' % (name, where, msg))
                    if keep:
                        os.makedirs(os.path.join(HERE, 'failures'), exist_ok=True)
                        for k, part in enumerate(parts):
                            with open(os.path.join(HERE, 'failures', '%s.db-part%d.avnm' %
                                                   (name, k + 1)), 'w') as f:
                                f.write(part)
    print('model check: %d files, %d commands, %d expectations, %d disagreements, %.1fs' %
          (n, commands, expectations, bad, time.time() - start))
    if ambiguous:
        print('left out as ambiguous for the model (times): ' +
              '; '.join('%s: %d' % kv for kv in sorted(ambiguous.items(), key=lambda x: -x[1])))
    return 1 if bad else 0


def main(argv):
    if len(argv) >= 3 and argv[1] == '--shrink':
        avnm, path = argv[0], argv[2]
        out = argv[argv.index('-o') + 1] if '-o' in argv else \
            (path[:-5] if path.endswith('.avnm') else path) + '.min.avnm'
        with open(path) as f:
            text = shrink(avnm, f.read())
        with open(out, 'w') as f:
            f.write(text)
        print('%s: %d lines' % (out, text.count('\n')))
        for line, msg in fails(avnm, text) or []:
            print('%s:%d: %s' % (out, line, msg))
        return 0
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    opts = argv[3:]
    batch = int(opts[opts.index('--batch') + 1]) if '--batch' in opts else 100
    return check(argv[0], int(argv[1]), int(argv[2]), keep='--keep' in opts, batch=batch,
                 quiet='--quiet' in opts, db='--db' in opts)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
