//! The bare-DOI pass shared by every dialect: a DOI written in running text (`doi:10.…`,
//! `https://doi.org/10.…`, a bare `10.NNNN/…`) cites the work it names, in a Markdown note as
//! much as in a plain-text file.
//!
//! DOIs are found by [`crate::corpus::doi`], the one place in refls that knows their shape.
//! This pass only decides which of them count: not those in code or comments, not those in a
//! link target, autolink or `\url{}` (the address of a link, not a citation), and not those
//! that a key citation such as `@doi:10.1111/hex.13774` already covers, which would otherwise
//! be reported twice.

use crate::corpus::doi::{MalformedDoi, find_dois, find_malformed_dois};

use super::text::Spans;
use super::{Citation, Syntax};

/// Adds the bare DOIs of `text` to `citations`, which must be sorted and free of overlaps, and
/// keeps them so.
pub(super) fn add_bare_dois(text: &str, verbatim: &Spans, no_keys: &Spans, citations: &mut Vec<Citation>) {
    let keyed = std::mem::take(citations);
    let mut keyed = keyed.into_iter().peekable();
    let mut merged = Vec::with_capacity(keyed.len());
    for found in find_dois(text) {
        // Both lists are in text order, so the key citations that end before this DOI can be
        // emitted now; one that reaches into the DOI means the DOI is part of a key.
        while let Some(citation) = keyed.next_if(|c| c.range.end <= found.range.start) {
            merged.push(citation);
        }
        let inside_key = keyed.peek().is_some_and(|c| c.range.start < found.range.end);
        // A DOI in a link target, autolink or `\url{}` is where the link goes, not a citation.
        if inside_key || verbatim.overlaps(&found.range) || no_keys.overlaps(&found.range) {
            continue;
        }
        merged.push(Citation {
            key: compact_str::format_compact!("doi:{}", found.doi),
            range: found.range,
            syntax: Syntax::BareDoi,
        });
    }
    merged.extend(keyed);
    *citations = merged;
}

/// The malformed DOIs of `text` outside code and comments.
pub(super) fn malformed_dois(text: &str, verbatim: &Spans) -> Vec<MalformedDoi> {
    find_malformed_dois(text).into_iter().filter(|m| !verbatim.overlaps(&m.range)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::render;
    use super::*;

    fn check(fixture: &str, keyed: &[(&str, std::ops::Range<usize>)]) -> String {
        let mut citations: Vec<Citation> = keyed
            .iter()
            .map(|(key, range)| Citation { key: (*key).into(), range: range.clone(), syntax: Syntax::Pandoc })
            .collect();
        // Verbatim text is marked with backticks in the fixtures.
        let mut verbatim = Spans::default();
        let mut open = None;
        for (i, b) in fixture.bytes().enumerate() {
            if b == b'`' {
                match open.take() {
                    None => open = Some(i),
                    Some(start) => verbatim.push(start..i + 1),
                }
            }
        }
        verbatim.normalise();
        add_bare_dois(fixture, &verbatim, &Spans::default(), &mut citations);
        render(&citations)
    }

    #[test]
    fn dois_join_key_citations_in_order() {
        insta::assert_snapshot!(check("10.1000/a @k 10.1000/b", &[("k", 11..12)]), @"
        doi:10.1000/a @ 0..9 BareDoi
        k @ 11..12 Pandoc
        doi:10.1000/b @ 13..22 BareDoi
        ");
    }

    #[test]
    fn doi_inside_a_key_is_not_reported_twice() {
        insta::assert_snapshot!(check("@doi:10.1000/abc.", &[("doi:10.1000/abc", 1..16)]), @"doi:10.1000/abc @ 1..16 Pandoc");
        // Pandoc ends this key at the bracket; the longer DOI still overlaps the key.
        insta::assert_snapshot!(check("@doi:10.1016/S0140-6736(20)30183-5", &[("doi:10.1016/S0140-6736", 1..23)]), @"doi:10.1016/S0140-6736 @ 1..23 Pandoc");
    }

    #[test]
    fn dois_in_verbatim_text_are_skipped() {
        insta::assert_snapshot!(check("`10.1000/a` and https://doi.org/10.1000/B", &[]), @"doi:10.1000/b @ 32..41 BareDoi");
    }
}
