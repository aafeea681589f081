"""The functions of one program that callgrind saw run, most instructions first.

Usage: python3 build/callgrind_functions.py PROGRAM_SUFFIX CALLGRIND_OUT... [--startup CALLGRIND_OUT...]

Reads callgrind's output files (written with `--demangle=no`, so the names are the linker's)
and prints one symbol name a line: every function of the object whose path ends with
PROGRAM_SUFFIX that ran at least one instruction, summed over the files. This is the
`--symbol-ordering-file` that `build.rs` hands the linker. Standard library only.

The files after `--startup` record sessions that only started the server and opened the
document (`session.py --open-only`). A function that ran more in the whole sessions than in
those start-ups is one the requests run (typing, completing, hovering): those come first, most
instructions in the requests first, so that the code a keystroke runs sits on as few pages as
possible; the functions only the start-up runs follow, most instructions first.
"""
import collections
import re
import sys

SPEC = re.compile(r"^(c?ob|c?fn|c?fi|c?fl|fe)=\((\d+)\)(?: (.*))?$")
RECURSION = re.compile(r"'\d+$")


def costs(path, program, total):
    objects, functions = {}, {}
    current_object = current_function = None
    after_calls = False
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        spec = SPEC.match(line)
        if spec:
            kind, number, name = spec.groups()
            names = objects if kind.endswith("ob") else functions if kind.endswith("fn") else None
            if names is not None and name is not None:
                names[number] = name
            if kind == "ob":
                current_object = objects.get(number)
            elif kind == "fn":
                current_function = functions.get(number)
                after_calls = False
            continue
        if line.startswith("calls="):
            # The cost line after a `calls=` line is the callee's inclusive cost, not this
            # function's own instructions.
            after_calls = True
            continue
        if line[:1].isdigit() or line[:1] in "+-*":
            if after_calls:
                after_calls = False
                continue
            fields = line.split()
            if len(fields) >= 2 and current_object and current_object.endswith(program) and current_function:
                # Callgrind names a recursive function's deeper levels `name'2`, `name'3`…
                total[RECURSION.sub("", current_function)] += int(fields[1])


# A function counts as run by the requests when the whole sessions ran it this much more than
# the start-ups did, relative to the start-ups: the start-ups' counts differ a little from run
# to run (hash seeds, the parsing threads' shares), and that noise must not move a reading
# function into the requests' part.
REQUEST_SHARE = 0.02


def main():
    program, args = sys.argv[1], sys.argv[2:]
    paths, startup_paths = args, []
    if "--startup" in args:
        at = args.index("--startup")
        paths, startup_paths = args[:at], args[at + 1:]
    total, startup = collections.Counter(), collections.Counter()
    for path in paths:
        costs(path, program, total)
    for path in startup_paths:
        costs(path, program, startup)
    requests = {name: cost - startup[name] for name, cost in total.items()
                if cost - startup[name] > REQUEST_SHARE * startup[name]}
    ordered = sorted(requests, key=lambda name: (-requests[name], name))
    ordered += [name for name, _ in total.most_common() if name not in requests]
    for name in ordered:
        if not name.startswith("0x"):
            print(name)


if __name__ == "__main__":
    main()
