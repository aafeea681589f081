//! Conversion between LSP positions and byte offsets: the one module that does it.
//!
//! An LSP [`Position`] is a zero-based line and a `character` counted in the code units of the
//! negotiated [`PositionEncoding`] (UTF-16 unless the client offers UTF-8). The rest of refls
//! works on `&str` and byte offsets, so every conversion goes through here. Lines end at `\n`,
//! `\r\n` or a lone `\r`, exactly as LSP says and as ropey's `cr_lines` feature counts them;
//! U+2028 and the other Unicode separators are ordinary characters.
//!
//! Two paths give the same answers: [`LineIndex`] for a plain `&str` (built once per text,
//! then O(log lines + line length) per conversion), and the `rope_*` functions for an open
//! document's [`Rope`] (O(log n)). Conversions never panic on client input: a character past
//! the end of its line clamps to the line end (before the terminator), a line past the end
//! clamps to the end of the text, a position inside a character (the middle of a surrogate
//! pair, or of a multi-byte UTF-8 sequence) rounds down to the start of that character, and a
//! range whose start lies after its end becomes the empty range at its start. In the other
//! direction an offset past the end clamps to the end, an offset inside a character rounds
//! down to the character's start, and the offset between the `\r` and `\n` of a CRLF (which
//! no LSP position can name) rounds down to the end of its line.

use std::ops::Range;

use ropey::Rope;
use tower_lsp::lsp_types::{self, ClientCapabilities, Position, PositionEncodingKind};

/// The unit in which a [`Position`]'s `character` counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// Bytes of UTF-8, which is what our offsets already are.
    Utf8,
    /// UTF-16 code units: the LSP default, which every client supports.
    #[default]
    Utf16,
}

impl PositionEncoding {
    /// The name of this encoding for `ServerCapabilities::position_encoding`.
    pub fn to_proto_kind(self) -> PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    /// How many code units `ch` takes in this encoding.
    fn units(self, ch: char) -> usize {
        match self {
            PositionEncoding::Utf8 => ch.len_utf8(),
            PositionEncoding::Utf16 => ch.len_utf16(),
        }
    }
}

/// Picks the encoding for a session: UTF-8 whenever the client offers it, because it needs no
/// transcoding, and otherwise UTF-16, which LSP requires every client to understand.
pub fn negotiate(caps: &ClientCapabilities) -> PositionEncoding {
    let offered = caps.general.as_ref().and_then(|general| general.position_encodings.as_deref()).unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) { PositionEncoding::Utf8 } else { PositionEncoding::Utf16 }
}

/// Where each line of a text starts, for converting positions on a plain `&str`.
///
/// The index does not borrow the text, so it can be cached next to an `Arc<str>` snapshot;
/// every method takes the same text the index was built from. Given a different text the
/// answers are meaningless but the methods still do not panic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the first byte of every line; the first entry is always 0.
    line_starts: Vec<usize>,
    /// Length in bytes of the text the index was built from.
    len: usize,
}

impl LineIndex {
    /// Indexes the line starts of `text` in one pass over its bytes.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            // A `\r` directly followed by `\n` is half of one CRLF terminator, and the `\n`
            // ends that line; any other `\r` ends a line by itself.
            let ends_line = byte == b'\n' || (byte == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        LineIndex { line_starts, len: text.len() }
    }

    /// The number of lines, counting the (possibly empty) line after a final terminator, so
    /// it always equals ropey's `len_lines` for the same text.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset that `position` names in `text` (LSP to refls), clamped as the module
    /// documentation describes.
    pub fn offset(&self, text: &str, position: Position, encoding: PositionEncoding) -> usize {
        debug_assert_eq!(text.len(), self.len, "LineIndex used with a different text");
        let line = position.line as usize;
        let Some(&start) = self.line_starts.get(line) else {
            return text.len();
        };
        let start = floor_char_boundary(text, start);
        let end = self.content_end(text, line).max(start);
        let content = &text[start..end];
        let wanted = position.character as usize;
        // Walking the line's characters is what turns code units into bytes; lines in notes
        // are short, and the walk stops at the wanted column.
        let mut units = 0;
        for (byte, ch) in content.char_indices() {
            units += encoding.units(ch);
            if units > wanted {
                return start + byte;
            }
        }
        end
    }

    /// The position of byte `offset` in `text` (refls to LSP), clamped and rounded down as
    /// the module documentation describes.
    pub fn position(&self, text: &str, offset: usize, encoding: PositionEncoding) -> Position {
        debug_assert_eq!(text.len(), self.len, "LineIndex used with a different text");
        let offset = step_out_of_crlf(text, floor_char_boundary(text, offset));
        // `line_starts[0]` is 0, so at least one start is at or before any offset.
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let start = floor_char_boundary(text, self.line_starts[line]).min(offset);
        let character = match encoding {
            PositionEncoding::Utf8 => offset - start,
            PositionEncoding::Utf16 => text[start..offset].chars().map(char::len_utf16).sum(),
        };
        Position::new(saturating_u32(line), saturating_u32(character))
    }

    /// The byte range that `range` names in `text`; a reversed range becomes empty at its
    /// start.
    pub fn offset_range(&self, text: &str, range: lsp_types::Range, encoding: PositionEncoding) -> Range<usize> {
        let start = self.offset(text, range.start, encoding);
        let end = self.offset(text, range.end, encoding);
        start..end.max(start)
    }

    /// The LSP range of the byte range `offsets` in `text`; a reversed range becomes empty at
    /// its start.
    pub fn range(&self, text: &str, offsets: Range<usize>, encoding: PositionEncoding) -> lsp_types::Range {
        let end = offsets.end.max(offsets.start);
        lsp_types::Range::new(self.position(text, offsets.start, encoding), self.position(text, end, encoding))
    }

    /// The byte offset where the content of `line` ends, before its terminator.
    fn content_end(&self, text: &str, line: usize) -> usize {
        let Some(&next_start) = self.line_starts.get(line + 1) else {
            // The last line has no terminator: a final `\n` or `\r` would have started
            // another line.
            return text.len();
        };
        let bytes = text.as_bytes();
        let mut end = next_start.min(text.len());
        if end > 0 && bytes[end - 1] == b'\n' {
            end -= 1;
            if end > 0 && bytes[end - 1] == b'\r' {
                end -= 1;
            }
        } else if end > 0 && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        floor_char_boundary(text, end)
    }
}

/// The byte offset that `position` names in `rope`, clamped as the module documentation
/// describes; the rope twin of [`LineIndex::offset`].
pub fn rope_offset(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    rope.char_to_byte(rope_char(rope, position, encoding))
}

/// The position of byte `offset` in `rope`, clamped and rounded down as the module
/// documentation describes; the rope twin of [`LineIndex::position`].
pub fn rope_position(rope: &Rope, offset: usize, encoding: PositionEncoding) -> Position {
    let mut char_idx = rope.byte_to_char(offset.min(rope.len_bytes()));
    // The gap between the halves of a CRLF belongs to no position; step back before the `\r`.
    if char_idx > 0 && char_idx < rope.len_chars() && rope.char(char_idx) == '\n' && rope.char(char_idx - 1) == '\r' {
        char_idx -= 1;
    }
    let line = rope.char_to_line(char_idx);
    let line_start = rope.line_to_char(line);
    let character = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.char_to_byte(line_start),
        PositionEncoding::Utf16 => rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start),
    };
    Position::new(saturating_u32(line), saturating_u32(character))
}

/// The byte range that `range` names in `rope`; a reversed range becomes empty at its start.
pub fn rope_offset_range(rope: &Rope, range: lsp_types::Range, encoding: PositionEncoding) -> Range<usize> {
    let start = rope_offset(rope, range.start, encoding);
    let end = rope_offset(rope, range.end, encoding);
    start..end.max(start)
}

/// The LSP range of the byte range `offsets` in `rope`; a reversed range becomes empty at its
/// start.
pub fn rope_range(rope: &Rope, offsets: Range<usize>, encoding: PositionEncoding) -> lsp_types::Range {
    let end = offsets.end.max(offsets.start);
    lsp_types::Range::new(rope_position(rope, offsets.start, encoding), rope_position(rope, end, encoding))
}

/// Semantic tokens in the protocol's relative encoding, from tokens given as sorted,
/// non-overlapping byte ranges with their type and modifier bits. A token that spans lines
/// (a prose citation wrapped in the source) becomes one token per line, since the protocol's
/// tokens cannot cross a line end.
pub fn semantic_tokens(
    rope: &Rope,
    text: &str,
    tokens: impl IntoIterator<Item = (Range<usize>, u32, u32)>,
    encoding: PositionEncoding,
) -> Vec<lsp_types::SemanticToken> {
    let mut res = Vec::new();
    let (mut previous_line, mut previous_start) = (0u32, 0u32);
    for (range, token_type, modifiers) in tokens {
        let Some(token_text) = text.get(range.clone()) else { continue };
        let mut start = range.start;
        for piece in token_text.split_inclusive('\n') {
            let content = piece.trim_end_matches(['\n', '\r']);
            let from = rope_position(rope, start, encoding);
            let to = rope_position(rope, start + content.len(), encoding);
            start += piece.len();
            if content.is_empty() || to.line != from.line {
                continue;
            }
            let delta_line = from.line - previous_line;
            let delta_start = if delta_line == 0 { from.character - previous_start } else { from.character };
            res.push(lsp_types::SemanticToken {
                delta_line,
                delta_start,
                length: to.character - from.character,
                token_type,
                token_modifiers_bitset: modifiers,
            });
            (previous_line, previous_start) = (from.line, from.character);
        }
    }
    res
}

/// The char index (ropey's unit for editing) that `position` names in `rope`, clamped as the
/// module documentation describes. Every step is O(log n) in the size of the rope.
pub(crate) fn rope_char(rope: &Rope, position: Position, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_chars();
    }
    let line_start = rope.line_to_char(line);
    let content_end = rope.line_to_char(line + 1) - terminator_chars(rope, line_start, line + 1);
    let wanted = position.character as usize;
    match encoding {
        PositionEncoding::Utf8 => {
            let start = rope.char_to_byte(line_start);
            let end = rope.char_to_byte(content_end);
            rope.byte_to_char(start.saturating_add(wanted).min(end))
        }
        PositionEncoding::Utf16 => {
            let start = rope.char_to_utf16_cu(line_start);
            let end = rope.char_to_utf16_cu(content_end);
            rope.utf16_cu_to_char(start.saturating_add(wanted).min(end))
        }
    }
}

/// How many chars of line terminator precede the start of line `next_line`, looking no
/// further back than `line_start`, the start of the line before it.
fn terminator_chars(rope: &Rope, line_start: usize, next_line: usize) -> usize {
    let next_start = rope.line_to_char(next_line);
    if next_start == line_start {
        return 0;
    }
    match rope.char(next_start - 1) {
        '\n' if next_start - 1 > line_start && rope.char(next_start - 2) == '\r' => 2,
        '\n' | '\r' => 1,
        _ => 0,
    }
}

/// The largest char boundary of `text` at or before `offset`, which may be past the end.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Moves an offset that sits between the `\r` and `\n` of a CRLF back before the `\r`.
fn step_out_of_crlf(text: &str, offset: usize) -> usize {
    let bytes = text.as_bytes();
    if offset > 0 && bytes.get(offset) == Some(&b'\n') && bytes[offset - 1] == b'\r' { offset - 1 } else { offset }
}

/// LSP positions are `u32`; a text too large for that is pinned to the largest value rather
/// than wrapped into a wrong small one.
fn saturating_u32(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

/// An independent, deliberately naive model of the conversions, and text generators, shared
/// by the property tests of this module and of the document store.
#[cfg(test)]
pub(crate) mod model {
    use proptest::prelude::*;

    use super::PositionEncoding;

    /// Pieces that exercise every width and every line-break rule: ASCII, astral characters
    /// (two UTF-16 units, four bytes), U+2010 HYPHEN (three bytes, one unit), CJK, CRLF, lone
    /// CR, LF, U+2028 (not a line break for LSP), NUL, and a combining acute accent.
    pub(crate) const FRAGMENTS: &[&str] = &[
        "a", "Z", " ", "😀", "𝔸", "\u{2010}", "中", "文", "\r\n", "\r", "\n", "\u{2028}", "\0", "e\u{301}", "\u{301}",
    ];

    /// Text made of up to `max` fragments.
    pub(crate) fn text(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..max).prop_map(|fragments| fragments.concat())
    }

    /// Splits text into lines as (start, content end, next line start) byte triples, char
    /// by char, without looking at the production code.
    pub(crate) fn lines(text: &str) -> Vec<(usize, usize, usize)> {
        let mut lines = Vec::new();
        let mut start = 0;
        let mut chars = text.char_indices().peekable();
        while let Some((at, ch)) = chars.next() {
            match ch {
                '\r' if chars.peek().map(|&(_, next)| next) == Some('\n') => {
                    chars.next();
                    lines.push((start, at, at + 2));
                    start = at + 2;
                }
                '\r' | '\n' => {
                    lines.push((start, at, at + 1));
                    start = at + 1;
                }
                _ => {}
            }
        }
        lines.push((start, text.len(), text.len()));
        lines
    }

    /// The length of `line`'s content in code units, or 0 for a line past the end.
    pub(crate) fn line_units(text: &str, line: usize, encoding: PositionEncoding) -> usize {
        lines(text).get(line).map_or(0, |&(start, end, _)| text[start..end].chars().map(|ch| encoding.units(ch)).sum())
    }

    /// The byte offset of (line, character) with LSP's clamping rules.
    pub(crate) fn offset(text: &str, line: u32, character: u32, encoding: PositionEncoding) -> usize {
        let Some(&(start, end, _)) = lines(text).get(line as usize) else {
            return text.len();
        };
        let mut units = 0u64;
        for (at, ch) in text[start..end].char_indices() {
            let next = units + encoding.units(ch) as u64;
            if next > u64::from(character) {
                return start + at;
            }
            units = next;
        }
        end
    }

    /// Every position that names a character boundary, with its byte offset.
    pub(crate) fn valid_positions(text: &str, encoding: PositionEncoding) -> Vec<(u32, u32, usize)> {
        let mut positions = Vec::new();
        for (line, &(start, end, _)) in lines(text).iter().enumerate() {
            let mut units = 0;
            for (at, ch) in text[start..end].char_indices() {
                positions.push((line as u32, units, start + at));
                units += encoding.units(ch) as u32;
            }
            positions.push((line as u32, units, end));
        }
        positions
    }

    /// Every byte offset that some position names: char boundaries except the gap inside a
    /// CRLF.
    pub(crate) fn nameable_offsets(text: &str) -> Vec<usize> {
        (0..=text.len())
            .filter(|&offset| text.is_char_boundary(offset))
            .filter(|&offset| !(offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n')))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use proptest::prelude::*;
    use tower_lsp::lsp_types::GeneralClientCapabilities;

    use super::*;

    const ENCODINGS: [PositionEncoding; 2] = [PositionEncoding::Utf8, PositionEncoding::Utf16];

    /// Converts `(line, character)` in `text` by both paths, checks they agree and returns the
    /// offset.
    fn check(text: &str, (line, character): (u32, u32), encoding: PositionEncoding) -> usize {
        let position = Position::new(line, character);
        let by_index = LineIndex::new(text).offset(text, position, encoding);
        let by_rope = rope_offset(&Rope::from_str(text), position, encoding);
        assert_eq!(by_index, by_rope, "paths disagree on {position:?} in {text:?}");
        by_index
    }

    /// Converts `offset` in `text` by both paths, checks they agree and returns the position
    /// as `(line, character)`.
    fn check_position(text: &str, offset: usize, encoding: PositionEncoding) -> (u32, u32) {
        let by_index = LineIndex::new(text).position(text, offset, encoding);
        let by_rope = rope_position(&Rope::from_str(text), offset, encoding);
        assert_eq!(by_index, by_rope, "paths disagree on offset {offset} in {text:?}");
        (by_index.line, by_index.character)
    }

    /// One line per char boundary: the offset, the char that starts there, and its position
    /// in UTF-8 and in UTF-16.
    fn render(text: &str) -> String {
        let mut out = String::new();
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            let ch = text[offset..].chars().next().map_or("end".to_owned(), |ch| format!("{ch:?}"));
            let (l8, c8) = check_position(text, offset, PositionEncoding::Utf8);
            let (l16, c16) = check_position(text, offset, PositionEncoding::Utf16);
            writeln!(out, "{offset:>2}  utf8 {l8}:{c8}  utf16 {l16}:{c16}  {ch}").unwrap();
        }
        out
    }

    fn capabilities(encodings: Option<Vec<PositionEncodingKind>>) -> ClientCapabilities {
        ClientCapabilities {
            general: Some(GeneralClientCapabilities { position_encodings: encodings, ..Default::default() }),
            ..Default::default()
        }
    }

    #[test]
    fn negotiation_prefers_utf8_when_offered() {
        let utf8 = PositionEncodingKind::UTF8;
        let utf16 = PositionEncodingKind::UTF16;
        let utf32 = PositionEncodingKind::UTF32;
        assert_eq!(negotiate(&capabilities(Some(vec![utf16.clone(), utf8.clone()]))), PositionEncoding::Utf8);
        assert_eq!(negotiate(&capabilities(Some(vec![utf32.clone()]))), PositionEncoding::Utf16);
        assert_eq!(negotiate(&capabilities(Some(vec![]))), PositionEncoding::Utf16);
        assert_eq!(negotiate(&capabilities(None)), PositionEncoding::Utf16);
        assert_eq!(negotiate(&ClientCapabilities::default()), PositionEncoding::Utf16);
        assert_eq!(PositionEncoding::Utf8.to_proto_kind(), utf8);
        assert_eq!(PositionEncoding::Utf16.to_proto_kind(), utf16);
    }

    #[test]
    fn positions_of_every_boundary() {
        insta::assert_snapshot!(render("a😀‐\r\n𝔸\rb\u{2028}中\n"), @r"
         0  utf8 0:0  utf16 0:0  'a'
         1  utf8 0:1  utf16 0:1  '😀'
         5  utf8 0:5  utf16 0:3  '‐'
         8  utf8 0:8  utf16 0:4  '\r'
         9  utf8 0:8  utf16 0:4  '\n'
        10  utf8 1:0  utf16 1:0  '𝔸'
        14  utf8 1:4  utf16 1:2  '\r'
        15  utf8 2:0  utf16 2:0  'b'
        16  utf8 2:1  utf16 2:1  '\u{2028}'
        19  utf8 2:4  utf16 2:2  '中'
        22  utf8 2:7  utf16 2:3  '\n'
        23  utf8 3:0  utf16 3:0  end
        ");
    }

    #[test]
    fn line_breaks_follow_lsp_not_unicode() {
        let text = "a\nb\r\nc\rd\u{2028}e\u{85}f\u{b}g\u{c}h";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        assert_eq!(index.line_count(), Rope::from_str(text).len_lines());
        assert_eq!(LineIndex::new("").line_count(), 1);
        assert_eq!(LineIndex::new("\r").line_count(), 2);
        assert_eq!(LineIndex::new("\r\n").line_count(), 2);
        assert_eq!(LineIndex::new("\n\r").line_count(), 3);
        assert_eq!(LineIndex::new("\r\r\n").line_count(), 3);
    }

    #[test]
    fn character_past_line_end_clamps_before_terminator() {
        for encoding in ENCODINGS {
            assert_eq!(check("ab\ncd", (0, 10), encoding), 2);
            assert_eq!(check("ab\r\ncd", (0, 3), encoding), 2);
            assert_eq!(check("ab\rcd", (0, 3), encoding), 2);
            assert_eq!(check("ab\ncd", (1, 10), encoding), 5);
            assert_eq!(check("ab\ncd", (0, u32::MAX), encoding), 2);
            assert_eq!(check("\r\n\r\n", (1, 1), encoding), 2);
        }
    }

    #[test]
    fn line_past_end_clamps_to_end_of_text() {
        for encoding in ENCODINGS {
            assert_eq!(check("ab\ncd", (2, 0), encoding), 5);
            assert_eq!(check("ab\n", (1, 5), encoding), 3);
            assert_eq!(check("ab\n", (2, 0), encoding), 3);
            assert_eq!(check("", (0, 3), encoding), 0);
            assert_eq!(check("", (u32::MAX, u32::MAX), encoding), 0);
            assert_eq!(check("a😀", (u32::MAX, 0), encoding), 5);
        }
    }

    #[test]
    fn position_inside_a_character_rounds_down_to_its_start() {
        // The middle of a surrogate pair in UTF-16.
        assert_eq!(check("a😀b", (0, 2), PositionEncoding::Utf16), 1);
        assert_eq!(check("a😀b", (0, 3), PositionEncoding::Utf16), 5);
        assert_eq!(check("𝔸", (0, 1), PositionEncoding::Utf16), 0);
        // The middle of a multi-byte sequence in UTF-8.
        for character in 2..=4 {
            assert_eq!(check("a😀b", (0, character), PositionEncoding::Utf8), 1);
        }
        assert_eq!(check("‐‐", (0, 4), PositionEncoding::Utf8), 3);
    }

    #[test]
    fn offsets_clamp_and_round_down() {
        for encoding in ENCODINGS {
            assert_eq!(check_position("ab\ncd", 99, encoding), (1, 2));
            assert_eq!(check_position("ab\n", usize::MAX, encoding), (1, 0));
            assert_eq!(check_position("", 1, encoding), (0, 0));
            // Inside the four bytes of 😀.
            assert_eq!(check_position("a😀b", 3, encoding), (0, 1));
            // Between the halves of a CRLF.
            assert_eq!(check_position("ab\r\ncd", 3, encoding), (0, 2));
        }
        assert_eq!(check_position("a😀b", 5, PositionEncoding::Utf16), (0, 3));
        assert_eq!(check_position("a😀b", 5, PositionEncoding::Utf8), (0, 5));
    }

    #[test]
    fn reversed_ranges_become_empty_at_their_start() {
        let text = "hello\nworld";
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        let reversed = lsp_types::Range::new(Position::new(1, 2), Position::new(0, 1));
        for encoding in ENCODINGS {
            assert_eq!(index.offset_range(text, reversed, encoding), 8..8);
            assert_eq!(rope_offset_range(&rope, reversed, encoding), 8..8);
            let backwards = lsp_types::Range::new(Position::new(1, 2), Position::new(1, 2));
            #[allow(clippy::reversed_empty_ranges)]
            let offsets = 8..1;
            assert_eq!(index.range(text, offsets.clone(), encoding), backwards);
            assert_eq!(rope_range(&rope, offsets, encoding), backwards);
        }
    }

    #[test]
    fn ranges_convert_both_ways() {
        let text = "x 😀 y\r\n𝔸 z";
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        let z = text.find('z').unwrap();
        let expected = lsp_types::Range::new(Position::new(0, 2), Position::new(1, 3));
        assert_eq!(index.range(text, 2..z, PositionEncoding::Utf16), expected);
        assert_eq!(rope_range(&rope, 2..z, PositionEncoding::Utf16), expected);
        assert_eq!(index.offset_range(text, expected, PositionEncoding::Utf16), 2..z);
        assert_eq!(rope_offset_range(&rope, expected, PositionEncoding::Utf16), 2..z);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn offsets_round_trip(text in model::text(40)) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for offset in model::nameable_offsets(&text) {
                for encoding in ENCODINGS {
                    let position = index.position(&text, offset, encoding);
                    prop_assert_eq!(rope_position(&rope, offset, encoding), position);
                    prop_assert_eq!(index.offset(&text, position, encoding), offset);
                    prop_assert_eq!(rope_offset(&rope, position, encoding), offset);
                }
            }
        }

        #[test]
        fn positions_round_trip(text in model::text(40)) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for encoding in ENCODINGS {
                for (line, character, offset) in model::valid_positions(&text, encoding) {
                    let position = Position::new(line, character);
                    prop_assert_eq!(index.offset(&text, position, encoding), offset);
                    prop_assert_eq!(rope_offset(&rope, position, encoding), offset);
                    prop_assert_eq!(index.position(&text, offset, encoding), position);
                    prop_assert_eq!(rope_position(&rope, offset, encoding), position);
                }
            }
        }

        #[test]
        fn any_position_clamps_like_the_model(
            text in model::text(40),
            probes in proptest::collection::vec((0u32..16, 0u32..24), 1..32),
        ) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for (line, character) in probes {
                for encoding in ENCODINGS {
                    let position = Position::new(line, character);
                    let expected = model::offset(&text, line, character, encoding);
                    prop_assert_eq!(index.offset(&text, position, encoding), expected);
                    prop_assert_eq!(rope_offset(&rope, position, encoding), expected);
                }
            }
        }

        #[test]
        fn any_offset_converts_like_the_rope(text in model::text(40), extra in 0usize..8) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            prop_assert_eq!(index.line_count(), rope.len_lines());
            for offset in 0..=text.len() + extra {
                for encoding in ENCODINGS {
                    let position = index.position(&text, offset, encoding);
                    prop_assert_eq!(rope_position(&rope, offset, encoding), position);
                }
            }
        }

        /// Ropey's own UTF-16 bookkeeping is the independent witness for our arithmetic.
        #[test]
        fn utf16_columns_match_ropey(text in model::text(40)) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for char_idx in 0..=rope.len_chars() {
                let offset = rope.char_to_byte(char_idx);
                if !model::nameable_offsets(&text).contains(&offset) {
                    continue;
                }
                let line = rope.char_to_line(char_idx);
                let column = rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(rope.line_to_char(line));
                let position = index.position(&text, offset, PositionEncoding::Utf16);
                prop_assert_eq!((position.line as usize, position.character as usize), (line, column));
                let line_start_units = rope.char_to_utf16_cu(rope.line_to_char(line));
                prop_assert_eq!(rope.utf16_cu_to_char(line_start_units + column), char_idx);
            }
        }
    }
}
