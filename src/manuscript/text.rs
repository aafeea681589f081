//! Small text helpers shared by the dialect scanners: characters around a byte offset, line
//! ends, backslash escapes, and sets of byte ranges.
//!
//! The scanners walk bytes, because every syntax they look for is ASCII, but they must never
//! slice a string inside a UTF-8 character or read past its end; these helpers are where that
//! care lives.

use std::ops::Range;

/// The character that ends just before byte `pos`, if `pos` is a character boundary after the
/// start of the text.
pub(super) fn char_before(text: &str, pos: usize) -> Option<char> {
    text.get(..pos)?.chars().next_back()
}

/// The character that starts at byte `pos`.
pub(super) fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

/// The byte offset of the end of the line holding `pos`: the `\n`, or the end of the text.
pub(super) fn line_end(bytes: &[u8], pos: usize) -> usize {
    memchr::memchr(b'\n', &bytes[pos.min(bytes.len())..]).map_or(bytes.len(), |i| pos + i)
}

/// The byte offset of the start of the line holding `pos`.
pub(super) fn line_start(bytes: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &bytes[..pos.min(bytes.len())]).map_or(0, |i| i + 1)
}

/// True when the byte at `pos` is preceded by an odd number of backslashes, none before
/// `floor`: `\@` is escaped, `\\@` is not.
pub(super) fn is_escaped(bytes: &[u8], pos: usize, floor: usize) -> bool {
    let mut count = 0;
    let mut i = pos;
    while i > floor && bytes[i - 1] == b'\\' {
        count += 1;
        i -= 1;
    }
    count % 2 == 1
}

/// True for a line holding nothing but spaces, tabs and carriage returns.
pub(super) fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|&b| matches!(b, b' ' | b'\t' | b'\r'))
}

/// Whitespace in the sense of every dialect here: ASCII blanks and line breaks, including the
/// lone carriage return of old Mac files, plus Unicode spaces.
pub(super) fn is_space(ch: char) -> bool {
    ch.is_whitespace()
}

/// A set of byte ranges: the parts of a manuscript where citations do not count. Ranges are
/// pushed in any order and [`Spans::normalise`] sorts and merges them before any lookup.
#[derive(Clone, Debug, Default)]
pub(super) struct Spans(Vec<Range<usize>>);

impl Spans {
    pub(super) fn push(&mut self, range: Range<usize>) {
        if range.start < range.end {
            self.0.push(range);
        }
    }

    pub(super) fn normalise(&mut self) {
        self.0.sort_by_key(|r| r.start);
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(self.0.len());
        for range in self.0.drain(..) {
            match merged.last_mut() {
                Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
                _ => merged.push(range),
            }
        }
        self.0 = merged;
    }

    /// The parts of these ranges before `end`.
    pub(super) fn before(&self, end: usize) -> Spans {
        Spans(self.0.iter().filter(|r| r.start < end).map(|r| r.start..r.end.min(end)).collect())
    }

    /// Adds every range of `other`.
    pub(super) fn extend(&mut self, other: Spans) {
        self.0.extend(other.0);
    }

    /// True when `pos` lies inside one of the ranges. Needs [`Spans::normalise`] first.
    pub(super) fn contains(&self, pos: usize) -> bool {
        let after = self.0.partition_point(|r| r.start <= pos);
        after > 0 && pos < self.0[after - 1].end
    }

    /// [`Spans::contains`] before [`Spans::normalise`]: each range is asked.
    pub(super) fn any_contains(&self, pos: usize) -> bool {
        self.0.iter().any(|r| r.contains(&pos))
    }

    /// True when `range` shares at least one byte with one of the ranges. Needs
    /// [`Spans::normalise`] first.
    pub(super) fn overlaps(&self, range: &Range<usize>) -> bool {
        let after = self.0.partition_point(|r| r.start < range.end);
        after > 0 && self.0[after - 1].end > range.start
    }
}

/// Sorted byte positions of one kind of mark in a stretch of text, for "where is the next one
/// after here" questions. Answering by binary search keeps a scanner linear (up to a log) even
/// when a text holds thousands of openers without closers, where searching forward from each
/// opener would be quadratic.
#[derive(Debug, Default)]
pub(super) struct Positions(Vec<usize>);

impl Positions {
    /// The positions of `byte` in `range`, found with `memchr` (vectorised): a filter over
    /// every byte was a quarter of a LaTeX rescan (issue 11).
    pub(super) fn of_byte(bytes: &[u8], range: Range<usize>, byte: u8) -> Positions {
        let start = range.start;
        Positions(memchr::memchr_iter(byte, &bytes[range]).map(|i| start + i).collect())
    }

    pub(super) fn from_sorted(positions: Vec<usize>) -> Positions {
        Positions(positions)
    }

    /// The first position at or after `pos`.
    pub(super) fn next_from(&self, pos: usize) -> Option<usize> {
        self.0.get(self.0.partition_point(|&p| p < pos)).copied()
    }
}

/// Finds a fixed string again and again, from positions that only grow, in linear total time:
/// the last answer is remembered, so a search from before it costs nothing, and once the
/// needle is known to be absent from the rest of the text no search runs again.
#[derive(Debug)]
pub(super) struct Finder {
    needle: String,
    /// The last search: where it started and what it found.
    last: Option<(usize, Option<usize>)>,
}

impl Finder {
    pub(super) fn new(needle: impl Into<String>) -> Finder {
        Finder { needle: needle.into(), last: None }
    }

    /// The first occurrence of the needle starting at or after `from`.
    pub(super) fn find(&mut self, text: &str, from: usize) -> Option<usize> {
        if let Some((searched_from, found)) = self.last
            && searched_from <= from
        {
            match found {
                None => return None,
                Some(at) if at >= from => return Some(at),
                Some(_) => {}
            }
        }
        let found =
            text.as_bytes().get(from..).and_then(|rest| find_bytes(rest, self.needle.as_bytes())).map(|i| from + i);
        self.last = Some((from, found));
        found
    }
}

/// The first index of `needle` in `haystack`.
pub(super) fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_merge_and_answer() {
        let mut spans = Spans::default();
        spans.push(10..20);
        spans.push(0..5);
        spans.push(15..25);
        spans.push(7..7);
        spans.normalise();
        assert_eq!(spans.0, vec![0..5, 10..25]);
        assert!(
            spans.contains(0) && spans.contains(4) && !spans.contains(5) && spans.contains(24) && !spans.contains(25)
        );
        assert!(
            spans.overlaps(&(4..6))
                && !spans.overlaps(&(5..10))
                && spans.overlaps(&(24..30))
                && !spans.overlaps(&(25..30))
        );
    }

    #[test]
    fn escapes_count_backslashes() {
        let bytes = br"a\@ b\\@ c\\\@";
        assert!(is_escaped(bytes, 2, 0));
        assert!(!is_escaped(bytes, 7, 0));
        assert!(is_escaped(bytes, 13, 0));
        assert!(!is_escaped(bytes, 2, 2), "the floor stops the count");
    }

    #[test]
    fn finder_remembers() {
        let text = "a-->b-->c";
        let mut finder = Finder::new("-->");
        assert_eq!(finder.find(text, 0), Some(1));
        assert_eq!(finder.find(text, 1), Some(1));
        assert_eq!(finder.find(text, 2), Some(5));
        assert_eq!(finder.find(text, 6), None);
        assert_eq!(finder.find(text, 7), None);
        assert_eq!(finder.find(text, 100), None);
    }

    #[test]
    fn characters_around_offsets() {
        let text = "é@x";
        assert_eq!(char_before(text, 2), Some('é'));
        assert_eq!(char_before(text, 1), None, "not a boundary");
        assert_eq!(char_at(text, 2), Some('@'));
        assert_eq!(char_at(text, 9), None);
        assert_eq!(line_end(b"ab\ncd", 1), 2);
        assert_eq!(line_end(b"ab\ncd", 3), 5);
        assert_eq!(line_start(b"ab\ncd", 4), 3);
    }
}
