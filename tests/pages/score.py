#!/usr/bin/env python3
"""Scores `refls index` on the saved-page development set against hand labels.

Usage: python3 tests/pages/score.py [path/to/refls] [--details]

Reads tests/pages/labels.json, runs `refls index <page> --format json` on each of
tests/pages/cache/*.txt (git-ignored third-party text; see tests/pages/README.md to
re-collect it), takes the item with refls.kind == "document" from each page as the page's
own record, and prints per-field precision / recall / F1, the confidently wrong fields (a
value present where the label is null, or different from a non-null label), the records
made from pages that are not one article, and reference-DOI recall.

Standard library only.
"""

import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["title", "doi", "year", "authors", "journal", "pmid", "pmcid"]


def letters(text):
    """Lower-case letters and digits only, words kept apart by one space."""
    text = unicodedata.normalize("NFKC", text).casefold()
    words = re.findall(r"[^\W_]+", text)
    return " ".join(words)


def norm_title(text):
    return letters(text).replace(" ", "")


def norm_doi(text):
    text = text.strip().lower()
    text = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:\s*)", "", text)
    return text.rstrip(".,;")


STOP = {"and", "the", "of", "for", "in", "on", "a"}


def journal_tokens(text):
    return [w for w in letters(text.replace("&", " and ")).split() if w not in STOP]


def journal_match(got, want):
    """Equal after normalising, or one is a token-by-token abbreviation of the other."""
    a, b = journal_tokens(got), journal_tokens(want)
    if not a or not b:
        return False
    if a == b:
        return True
    if len(a) != len(b):
        return False
    return all(x.startswith(y) or y.startswith(x) for x, y in zip(a, b))


def family_key(name):
    words = letters(name).split()
    return ("".join(words), words[-1] if words else "")


def same_family(got, want):
    g, w = family_key(got), family_key(want)
    return g[0] == w[0] or (g[1] != "" and g[1] == w[1])


def authors_match(got, want):
    return len(got) == len(want) and all(same_family(g, w) for g, w in zip(got, want))


def extract(item):
    """The fields of one CSL-JSON item, in label form (None where absent)."""
    out = dict.fromkeys(FIELDS)
    out["title"] = item.get("title") or None
    out["doi"] = item.get("DOI") or None
    parts = (item.get("issued") or {}).get("date-parts") or []
    if parts and parts[0] and parts[0][0]:
        out["year"] = int(parts[0][0])
    names = []
    for person in item.get("author") or []:
        names.append(person.get("family") or person.get("literal") or "")
    out["authors"] = names or None
    out["journal"] = item.get("container-title") or item.get("container-title-short") or None
    out["pmid"] = item.get("PMID") or None
    out["pmcid"] = item.get("PMCID") or None
    return out


def matches(field, got, label):
    want = label.get(field)
    if field == "title":
        wants = [want] + label.get("title_alt", [])
        return any(norm_title(got) == norm_title(w) for w in wants if w)
    if field == "doi":
        return norm_doi(got) == norm_doi(want)
    if field == "year":
        return int(got) == int(want)
    if field == "authors":
        return authors_match(got, want)
    if field == "journal":
        return journal_match(got, want)
    if field == "pmid":
        return re.sub(r"\D", "", str(got)) == re.sub(r"\D", "", str(want))
    if field == "pmcid":
        return str(got).upper().replace("PMCID:", "").strip() == str(want).upper()
    raise ValueError(field)


def run(binary, paths):
    out = subprocess.run(
        [binary, "index", *paths, "--format", "json"], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    details = "--details" in sys.argv
    binary = args[0] if args else os.path.join(HERE, "..", "..", "target", "release", "refls")
    labels = json.load(open(os.path.join(HERE, "labels.json"), encoding="utf-8"))["pages"]
    cache = os.path.join(HERE, "cache")
    present = [p for p in labels if os.path.exists(os.path.join(cache, p["id"] + ".txt"))]
    if len(present) < len(labels):
        print(f"warning: {len(labels) - len(present)} labelled pages missing from {cache}")
    paths = [os.path.join(cache, p["id"] + ".txt") for p in present]
    documents, cited_of = {}, {}
    for path in paths:
        # One run per page: the corpus merges records that look like the same work, and two
        # pages of one article must not lend each other fields.
        items = run(binary, [path])
        by_id = {item["id"]: item for item in items}
        for item in items:
            meta = item.get("refls") or {}
            page = os.path.splitext(os.path.basename(meta.get("source", {}).get("path", "")))[0]
            if meta.get("kind") == "document" and page not in documents:
                documents[page] = item
                cited_of[page] = [by_id[c] for c in meta.get("cites", []) if c in by_id]

    tp = dict.fromkeys(FIELDS, 0)
    fp = dict.fromkeys(FIELDS, 0)
    fn = dict.fromkeys(FIELDS, 0)
    wrong = []
    missed = []
    ref_missed = []
    non_article_records = []
    ref_want = ref_found = ref_extra = 0
    for page in present:
        pid, kind = page["id"], page["kind"]
        item = documents.get(pid)
        got = extract(item) if item else dict.fromkeys(FIELDS)
        if kind != "article" and item is not None:
            non_article_records.append(f"{pid} ({kind}): {got['title']!r}")
        label = page if kind == "article" else {}
        for field in FIELDS:
            want = label.get(field)
            have = got[field]
            if have is not None and want is not None and matches(field, have, label):
                tp[field] += 1
            else:
                if have is not None:
                    fp[field] += 1
                    wrong.append(f"{pid} {field}: got {have!r}, label {want!r}")
                if want is not None:
                    fn[field] += 1
                    if have is None:
                        missed.append(f"{pid} {field}: label {want!r}")
        if kind == "article":
            want_refs = {norm_doi(d) for d in page.get("reference_dois", [])}
            got_refs = {norm_doi(c["DOI"]) for c in cited_of.get(pid, []) if c.get("DOI")}
            ref_want += len(want_refs)
            ref_found += len(want_refs & got_refs)
            ref_extra += len(got_refs - want_refs)
            ref_missed.extend(f"{pid} {d}" for d in sorted(want_refs - got_refs))

    kinds = {}
    for page in present:
        kinds[page["kind"]] = kinds.get(page["kind"], 0) + 1
    sites = {re.sub(r"^(www|m)\.", "", page["url"].split("/")[2]) for page in present}
    print(f"pages {len(present)} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))}), sites {len(sites)}")
    print(f"{'field':8} {'P':>6} {'R':>6} {'F1':>6} {'TP':>4} {'wrong':>5} {'missed':>6}")
    extracted = 0
    for field in FIELDS:
        p = tp[field] / (tp[field] + fp[field]) if tp[field] + fp[field] else 1.0
        r = tp[field] / (tp[field] + fn[field]) if tp[field] + fn[field] else 1.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        extracted += tp[field] + fp[field]
        print(f"{field:8} {p:6.3f} {r:6.3f} {f1:6.3f} {tp[field]:4} {fp[field]:5} {fn[field]:6}")
    total_wrong = sum(fp.values())
    share = total_wrong / extracted if extracted else 0.0
    print(f"confidently wrong fields: {total_wrong} of {extracted} given ({share:.1%}); wrong DOIs: {fp['doi']}")
    print(f"records from non-article pages: {len(non_article_records)}")
    recall = ref_found / ref_want if ref_want else 1.0
    print(f"reference-DOI recall: {ref_found}/{ref_want} = {recall:.3f} (unlabelled reference DOIs given: {ref_extra})")
    if details:
        print("\nwrong:")
        for line in wrong:
            print("  " + line)
        print("\nmissed (labelled, not given):")
        for line in missed:
            print("  " + line)
        print("\nreference DOIs missed:")
        for line in ref_missed:
            print("  " + line)
        print("\nnon-article records:")
        for line in non_article_records:
            print("  " + line)


if __name__ == "__main__":
    main()
