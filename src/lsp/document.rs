//! Open documents: the editor's unsaved text, mirrored through `didOpen` and `didChange`.
//!
//! A [`Document`] keeps its text in a rope so that an incremental edit costs O(log n) however
//! large the note is, and hands analysis an `Arc<str>` snapshot that is built lazily, at most
//! once per version, because analysis works on `&str` and byte offsets. Edits are applied in
//! the order the client sent them, each against the text left by the one before, as LSP
//! requires. Ranges from the client are clamped like every other position (see
//! [`crate::lsp::convert`]), so a bad range never panics; a range whose start lies after its
//! end is treated as the empty range at its start, so the new text is inserted there and
//! nothing is deleted, because losing text the user never meant to delete is worse than a
//! stray insertion that the next full sync repairs.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use ropey::Rope;
use tower_lsp::lsp_types::{self, Position, TextDocumentContentChangeEvent};

use crate::lsp::convert::{self, PositionEncoding};

/// One open document: its text, the client's version number, and a cached snapshot.
#[derive(Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
    /// The text of this version as one string; emptied by every edit and rebuilt on demand.
    snapshot: OnceLock<Arc<str>>,
}

impl Document {
    /// A document as `didOpen` delivers it.
    pub fn new(text: &str, version: i32) -> Document {
        Document { rope: Rope::from_str(text), version, snapshot: OnceLock::new() }
    }

    /// The version the client gave with the last change (or with `didOpen`).
    pub fn version(&self) -> i32 {
        self.version
    }

    /// The text as a rope, for callers that walk it without needing one string.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// Length of the text in bytes.
    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// Applies one `didChange` notification's changes in order and records `version`.
    ///
    /// A change without a range replaces the whole text; a change with a range replaces that
    /// range, clamped as the module documentation describes. The client's `range_length` is
    /// ignored, as LSP has deprecated it in favour of the range.
    pub fn apply_changes(
        &mut self,
        changes: Vec<TextDocumentContentChangeEvent>,
        version: i32,
        encoding: PositionEncoding,
    ) {
        if changes.is_empty() {
            // Nothing changed, so the cached snapshot still holds the text.
            self.version = version;
            return;
        }
        for change in changes {
            match change.range {
                None => self.rope = Rope::from_str(&change.text),
                Some(range) => {
                    let start = convert::rope_char(&self.rope, range.start, encoding);
                    let end = convert::rope_char(&self.rope, range.end, encoding).max(start);
                    self.rope.remove(start..end);
                    self.rope.insert(start, &change.text);
                }
            }
        }
        self.version = version;
        self.snapshot = OnceLock::new();
    }

    /// The whole text of the current version, shared: the first call after an edit copies
    /// the rope into one string (O(n)), later calls for the same version only clone the `Arc`.
    pub fn text(&self) -> Arc<str> {
        self.snapshot
            .get_or_init(|| {
                let mut text = String::with_capacity(self.rope.len_bytes());
                for chunk in self.rope.chunks() {
                    text.push_str(chunk);
                }
                Arc::from(text)
            })
            .clone()
    }

    /// The byte offset that `position` names, clamped like every client position.
    pub fn offset(&self, position: Position, encoding: PositionEncoding) -> usize {
        convert::rope_offset(&self.rope, position, encoding)
    }

    /// The position of byte `offset`, clamped and rounded down to a position that exists.
    pub fn position(&self, offset: usize, encoding: PositionEncoding) -> Position {
        convert::rope_position(&self.rope, offset, encoding)
    }

    /// The byte range that `range` names; a reversed range becomes empty at its start.
    pub fn offset_range(&self, range: lsp_types::Range, encoding: PositionEncoding) -> Range<usize> {
        convert::rope_offset_range(&self.rope, range, encoding)
    }

    /// The LSP range of the byte range `offsets`; a reversed range becomes empty at its start.
    pub fn range(&self, offsets: Range<usize>, encoding: PositionEncoding) -> lsp_types::Range {
        convert::rope_range(&self.rope, offsets, encoding)
    }
}

#[cfg(test)]
mod tests {

    use proptest::prelude::*;

    use super::*;
    use crate::lsp::convert::model;

    const UTF8: PositionEncoding = PositionEncoding::Utf8;
    const UTF16: PositionEncoding = PositionEncoding::Utf16;

    fn change(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(lsp_types::Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn replace_all(text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent { range: None, range_length: None, text: text.to_owned() }
    }

    /// Applies `changes` to a document holding `text` and returns the resulting text.
    fn check(text: &str, changes: Vec<TextDocumentContentChangeEvent>, encoding: PositionEncoding) -> String {
        let mut document = Document::new(text, 1);
        document.apply_changes(changes, 2, encoding);
        assert_eq!(document.version(), 2);
        assert_eq!(document.len_bytes(), document.text().len());
        document.text().to_string()
    }

    #[test]
    fn full_replacement_replaces_everything() {
        assert_eq!(check("old\ntext", vec![replace_all("new")], UTF16), "new");
    }

    #[test]
    fn incremental_changes_apply_in_order() {
        let changes = vec![
            change((0, 5), (0, 5), " world"),
            change((0, 0), (0, 1), "J"),
            replace_all("x😀y"),
            change((0, 1), (0, 3), "-"),
        ];
        assert_eq!(check("hello", changes, UTF16), "x-y");
    }

    #[test]
    fn utf16_and_utf8_name_different_columns() {
        assert_eq!(check("😀b", vec![change((0, 2), (0, 3), "B")], UTF16), "😀B");
        assert_eq!(check("😀b", vec![change((0, 4), (0, 5), "B")], UTF8), "😀B");
    }

    #[test]
    fn out_of_range_edits_clamp() {
        assert_eq!(check("ab\ncd", vec![change((0, 9), (0, 99), "!")], UTF16), "ab!\ncd");
        assert_eq!(check("ab\ncd", vec![change((7, 0), (9, 9), "!")], UTF16), "ab\ncd!");
        assert_eq!(check("ab\r\ncd", vec![change((0, 1), (0, 9), "")], UTF16), "a\r\ncd");
        // A column inside the surrogate pair of 😀 names the start of 😀.
        assert_eq!(check("a😀b", vec![change((0, 1), (0, 2), "")], UTF16), "a😀b");
        assert_eq!(check("a😀b", vec![change((0, 2), (0, 3), "")], UTF16), "ab");
        assert_eq!(check("", vec![change((u32::MAX, u32::MAX), (u32::MAX, u32::MAX), "x")], UTF8), "x");
    }

    #[test]
    fn reversed_range_inserts_at_start_and_deletes_nothing() {
        assert_eq!(check("hello\nworld", vec![change((1, 2), (0, 1), "*")], UTF16), "hello\nwo*rld");
    }

    #[test]
    fn line_breaks_merge_and_split_like_the_text() {
        // Inserting `\n` after a lone `\r` makes one CRLF terminator, not two lines.
        let mut document = Document::new("a\rb", 1);
        document.apply_changes(vec![change((1, 0), (1, 0), "\n")], 2, UTF16);
        assert_eq!(&*document.text(), "a\r\nb");
        assert_eq!(document.rope().len_lines(), 2);
        // Deleting the `b` between `\r` and `\n` leaves a CRLF.
        let mut document = Document::new("a\rb\nc", 1);
        document.apply_changes(vec![change((1, 0), (1, 1), "")], 2, UTF16);
        assert_eq!(&*document.text(), "a\r\nc");
        assert_eq!(document.rope().len_lines(), 2);
        assert_eq!(document.offset(Position::new(1, 0), UTF16), 3);
    }

    #[test]
    fn snapshot_is_shared_within_a_version_and_fresh_after_a_change() {
        let mut document = Document::new("one", 1);
        let first = document.text();
        assert!(Arc::ptr_eq(&first, &document.text()));
        document.apply_changes(vec![change((0, 3), (0, 3), " two")], 2, UTF16);
        let second = document.text();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!((&*first, &*second), ("one", "one two"));
    }

    #[test]
    fn position_helpers_use_the_rope() {
        let document = Document::new("x\r\n𝔸 y", 1);
        assert_eq!(document.offset(Position::new(1, 3), UTF16), 8);
        assert_eq!(document.position(8, UTF16), Position::new(1, 3));
        assert_eq!(document.position(8, UTF8), Position::new(1, 5));
        let range = lsp_types::Range::new(Position::new(0, 1), Position::new(1, 2));
        assert_eq!(document.offset_range(range, UTF16), 1..7);
        assert_eq!(document.range(1..7, UTF16), range);
    }

    /// A 4 MB note must take edits at rope speed: an edit never builds the one-string copy of
    /// the text (only a request that needs it does, once per version). Checked by structure,
    /// not by a clock, so a busy machine cannot fail it.
    #[test]
    fn edits_on_a_big_document_do_not_copy_it() {
        let line = "Some prose with 😀 and 𝔸 and ‐ and 中文 in it.\r\n";
        let mut document = Document::new(&line.repeat(4_000_000 / line.len()), 1);
        let lines = document.rope().len_lines() as u32;
        let _ = document.text();
        for version in 2..2_002 {
            let line = (version as u32 * 7919) % lines;
            document.apply_changes(vec![change((line, 3), (line, 5), "ab")], version, UTF16);
            assert!(document.snapshot.get().is_none(), "edit {version} built the text");
        }
        let text = document.text();
        assert!(Arc::ptr_eq(&text, &document.text()), "one copy per version");
        assert_eq!(text.len(), document.len_bytes());
    }

    /// One random edit, expressed as seeds so that it can be aimed at whatever text the
    /// earlier edits left: mostly inside the text, sometimes past its end.
    #[derive(Clone, Debug)]
    struct Edit {
        start: (u32, u32),
        end: (u32, u32),
        inserted: String,
        replaces_all: bool,
    }

    fn edit() -> impl Strategy<Value = Edit> {
        (any::<(u32, u32)>(), any::<(u32, u32)>(), model::text(6), 0u8..100)
            .prop_map(|(start, end, inserted, roll)| Edit { start, end, inserted, replaces_all: roll == 0 })
    }

    /// Turns seeds into a position on `text`: a line up to two past the last, a character up
    /// to three past the line end, and occasionally the largest values LSP can carry.
    fn aim(text: &str, (line_seed, character_seed): (u32, u32), encoding: PositionEncoding) -> (u32, u32) {
        let lines = model::lines(text).len() as u32;
        let line = if line_seed % 64 == 0 { u32::MAX } else { line_seed % (lines + 2) };
        let width = model::line_units(text, line as usize, encoding) as u32;
        let character = if character_seed % 64 == 0 { u32::MAX } else { character_seed % (width + 4) };
        (line, character)
    }

    /// Applies batches of edits to a document and to a plain `String` through the naive model,
    /// and compares after every batch.
    fn run_edits(initial: &str, batches: Vec<Vec<Edit>>, encoding: PositionEncoding) -> Result<(), TestCaseError> {
        let mut shadow = initial.to_owned();
        let mut document = Document::new(initial, 0);
        for (version, batch) in (1..).zip(batches) {
            let mut changes = Vec::new();
            for edit in batch {
                if edit.replaces_all {
                    shadow.clone_from(&edit.inserted);
                    changes.push(replace_all(&edit.inserted));
                    continue;
                }
                let start = aim(&shadow, edit.start, encoding);
                let end = aim(&shadow, edit.end, encoding);
                let from = model::offset(&shadow, start.0, start.1, encoding);
                let to = model::offset(&shadow, end.0, end.1, encoding).max(from);
                shadow.replace_range(from..to, &edit.inserted);
                changes.push(change(start, end, &edit.inserted));
            }
            document.apply_changes(changes, version, encoding);
            prop_assert_eq!(&*document.text(), shadow.as_str());
            prop_assert_eq!(document.version(), version);
            prop_assert_eq!(document.rope().len_lines(), model::lines(&shadow).len());
        }
        Ok(())
    }

    fn batches(max_batches: usize) -> impl Strategy<Value = Vec<Vec<Edit>>> {
        proptest::collection::vec(proptest::collection::vec(edit(), 1..5), 1..max_batches)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn random_edits_match_a_shadow_string_utf16(initial in model::text(30), batches in batches(40)) {
            run_edits(&initial, batches, UTF16)?;
        }

        #[test]
        fn random_edits_match_a_shadow_string_utf8(initial in model::text(30), batches in batches(40)) {
            run_edits(&initial, batches, UTF8)?;
        }
    }

    proptest! {
        // Texts past ropey's leaf size (about 1 KB) put CRLF pairs and surrogate pairs on
        // chunk seams, which small texts never reach.
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn random_edits_on_multi_chunk_texts(
            initial in model::text(3_000),
            batches in batches(60),
            utf8 in any::<bool>(),
        ) {
            run_edits(&initial, batches, if utf8 { UTF8 } else { UTF16 })?;
        }
    }
}
