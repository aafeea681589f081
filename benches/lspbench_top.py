#!/usr/bin/env python3
"""lspbench with the typed work counted only when it is among the first N completion items.

`../shared/tools/lspbench.py` counts a completion probe as a hit when the target key is
anywhere in the answer, and refls answers 50 items (texlab more): that is not what a person
sees. This wrapper runs lspbench unchanged except that each answer is first put in the order a
client shows it (by `sortText`, else `label`, as LSP specifies) and cut to its first N items, so
`completion_target_hit_rate` becomes "the typed work is in the top N" for every server alike.

    python3 benches/lspbench_top.py --top 10 run --server ... (lspbench's own arguments)

`LSPBENCH` names lspbench.py when it is not at ../shared/tools/ beside the repository.
Standard library only.
"""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT = os.path.join(HERE, "..", "..", "shared", "tools", "lspbench.py")


def load(path):
    spec = importlib.util.spec_from_file_location("lspbench", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv):
    top = 10
    if len(argv) >= 2 and argv[0] == "--top":
        top = int(argv[1])
        argv = argv[2:]
    bench = load(os.environ.get("LSPBENCH", DEFAULT))
    counted = bench.count_completion_items

    def first_items(result):
        if result is None:
            return counted(result)
        items = result if isinstance(result, list) else (result.get("items") or [])
        shown = sorted(
            (it for it in items if isinstance(it, dict)),
            key=lambda it: str(it.get("sortText") or it.get("label", "")),
        )[:top]
        n, incomplete, _ = counted(result)
        _, _, labels = counted({"items": shown, "isIncomplete": incomplete})
        return n, incomplete, labels

    bench.count_completion_items = first_items
    return bench.main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
