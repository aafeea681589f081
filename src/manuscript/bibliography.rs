//! The bibliography files a manuscript declares: Pandoc/Quarto front matter
//! (`bibliography: refs.bib`, a list, or a `[a.bib, b.json]` flow list), LaTeX
//! `\bibliography{a,b}` and `\addbibresource{refs.bib}`, Typst `#bibliography("refs.bib")`
//! (or a tuple of paths), and Org `#+bibliography: refs.bib`. Quarto's project file
//! `_quarto.yml` uses the front-matter form and is read with [`front_matter_paths`].
//!
//! Paths are returned as written, with the byte range that names them, so the server can
//! resolve them against the manuscript's directory, report a missing file on that line and
//! offer the range as a document link.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::Dialect;

/// One bibliography path named by a manuscript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeclaredBibliography {
    pub path: String,
    pub range: Range<usize>,
}

/// The bibliographies `text` declares.
pub fn declared(dialect: Dialect, text: &str) -> Vec<DeclaredBibliography> {
    match dialect {
        Dialect::Markdown => match front_matter(text) {
            Some(block) => front_matter_paths(text, block),
            None => Vec::new(),
        },
        Dialect::Latex => latex(text),
        Dialect::Typst => typst(text),
        Dialect::Org => org(text),
        Dialect::Plain => Vec::new(),
    }
}

/// The byte range of a YAML front-matter block at the very start of the text.
fn front_matter(text: &str) -> Option<Range<usize>> {
    let body = text.strip_prefix("\u{feff}").unwrap_or(text);
    let offset = text.len() - body.len();
    let first_end = body.find('\n')?;
    if body[..first_end].trim_end() != "---" {
        return None;
    }
    let mut at = first_end + 1;
    while at < body.len() {
        let end = body[at..].find('\n').map_or(body.len(), |i| at + i);
        let line = body[at..end].trim_end();
        if line == "---" || line == "..." {
            return Some(offset + first_end + 1..offset + at);
        }
        at = end + 1;
    }
    None
}

fn push_value(res: &mut Vec<DeclaredBibliography>, text: &str, start: usize, raw: &str) {
    let trimmed = raw.trim();
    let unquoted = trimmed.trim_matches(|c| c == '"' || c == '\'');
    if unquoted.is_empty() {
        return;
    }
    let inner_start =
        start + (raw.len() - raw.trim_start().len()) + (trimmed.len() - trimmed.trim_start_matches(['"', '\'']).len());
    debug_assert_eq!(&text[inner_start..inner_start + unquoted.len()], unquoted);
    res.push(DeclaredBibliography { path: unquoted.to_owned(), range: inner_start..inner_start + unquoted.len() });
}

/// `bibliography:` values inside a YAML block (`block` is a range of `text`).
pub fn front_matter_paths(text: &str, block: Range<usize>) -> Vec<DeclaredBibliography> {
    let mut res = Vec::new();
    let mut lines = Vec::new();
    let mut at = block.start;
    while at < block.end {
        let end = text[at..block.end].find('\n').map_or(block.end, |i| at + i);
        lines.push(at..end);
        at = end + 1;
    }
    let mut i = 0;
    while i < lines.len() {
        let line = &text[lines[i].clone()];
        let Some(rest) = line.strip_prefix("bibliography:") else {
            i += 1;
            continue;
        };
        let value_start = lines[i].start + "bibliography:".len();
        let value = rest.trim_end();
        if let Some(list) = value.trim().strip_prefix('[') {
            // Flow list: `[a.bib, "b.json"]`.
            let list_start = value_start + value.find('[').expect("checked") + 1;
            let list = list.trim_end_matches(']');
            let mut offset = list_start;
            for item in list.split(',') {
                push_value(&mut res, text, offset, item);
                offset += item.len() + 1;
            }
        } else if !value.trim().is_empty() {
            push_value(&mut res, text, value_start, value);
        } else {
            // Block list: following `- path` lines.
            while let Some(next) = lines.get(i + 1) {
                let item = &text[next.clone()];
                let Some(dash) = item.trim_start().strip_prefix("- ") else { break };
                let start = next.start + (item.len() - dash.len());
                push_value(&mut res, text, start, dash.trim_end());
                i += 1;
            }
        }
        i += 1;
    }
    res
}

/// `_quarto.yml`: the whole file is YAML.
pub fn quarto_project(text: &str) -> Vec<DeclaredBibliography> {
    front_matter_paths(text, 0..text.len())
}

/// The LaTeX commands that declare bibliographies (BibTeX's, then biblatex's). Each holds
/// `bib` once, which [`latex_declarations`] searches for.
const LATEX_COMMANDS: [&str; 4] = ["\\bibliography", "\\addbibresource", "\\addglobalbib", "\\addsectionbib"];

/// The LaTeX declarations of `text`, in order and not overlapping: the whole command and the
/// range of its braced list, for `\command[options]{list}` (options optional, no blanks
/// between the parts, the list up to the first `}`). One vectorised search for `bib`, then a
/// look around each hit: this runs twice at every edit, and a regular expression's engine,
/// called so seldom, ran with cold caches at ten times the cost (issue 11).
fn latex_declarations(text: &str) -> Vec<(Range<usize>, Range<usize>)> {
    let bytes = text.as_bytes();
    let mut res = Vec::new();
    let mut searched = 0;
    for hit in memchr::memmem::find_iter(bytes, b"bib") {
        let Some((start, name_end)) = LATEX_COMMANDS.iter().find_map(|command| {
            let start = hit.checked_sub(command.find("bib")?)?;
            (start >= searched && bytes[start..].starts_with(command.as_bytes()))
                .then_some((start, start + command.len()))
        }) else {
            continue;
        };
        let mut at = name_end;
        if bytes.get(at) == Some(&b'[') {
            let Some(close) = memchr::memchr(b']', &bytes[at..]) else { continue };
            at += close + 1;
        }
        if bytes.get(at) != Some(&b'{') {
            continue;
        }
        let Some(close) = memchr::memchr(b'}', &bytes[at..]) else { continue };
        res.push((start..at + close + 1, at + 1..at + close));
        searched = at + close + 1;
    }
    res
}
static TYPST: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#bibliography\(\s*(\([^)]*\)|[^,)]*)").expect("valid regex"));
static QUOTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""([^"]+)""#).expect("valid regex"));

/// Whether a match lies after a comment marker on its line, for matches visited in text order.
/// Each byte is looked at once: searching back to the line start at every match was quadratic
/// on one long line of `\bibliography{a}` (issue 10).
struct CommentedLines<'a> {
    text: &'a str,
    marker: &'static str,
    /// Bytes before this were looked at.
    scanned: usize,
    /// The line `scanned` is on has a comment marker before `scanned`.
    commented: bool,
}

impl<'a> CommentedLines<'a> {
    fn new(text: &'a str, marker: &'static str) -> Self {
        CommentedLines { text, marker, scanned: 0, commented: false }
    }

    /// `at` never decreases between calls.
    fn is_commented(&mut self, at: usize) -> bool {
        let bytes = self.text.as_bytes();
        let marker = self.marker.as_bytes();
        let contains = |from: usize| bytes[from..at].windows(marker.len()).any(|w| w == marker);
        let from = self.scanned.min(at);
        match bytes[from..at].iter().rposition(|&b| b == b'\n') {
            Some(newline) => self.commented = contains(from + newline + 1),
            // A marker may straddle `from` (`//`), so look a byte or so further back; a newline
            // there cannot be part of a marker.
            None => self.commented = self.commented || contains(from.saturating_sub(marker.len() - 1)),
        }
        self.scanned = at;
        self.commented
    }
}

fn latex(text: &str) -> Vec<DeclaredBibliography> {
    let mut res = Vec::new();
    let mut comments = CommentedLines::new(text, "%");
    for (whole, list) in latex_declarations(text) {
        if comments.is_commented(whole.start) {
            continue;
        }
        let is_bibliography = text[whole].starts_with("\\bibliography");
        let mut offset = list.start;
        for item in text[list].split(',') {
            let trimmed = item.trim();
            if !trimmed.is_empty() {
                let start = offset + (item.len() - item.trim_start().len());
                // `\bibliography{refs}` means `refs.bib`, and `{../lib}` means `../lib.bib`:
                // BibTeX adds the extension to every name that lacks it.
                let path = if is_bibliography && !trimmed.ends_with(".bib") {
                    format!("{trimmed}.bib")
                } else {
                    trimmed.to_owned()
                };
                res.push(DeclaredBibliography { path, range: start..start + trimmed.len() });
            }
            offset += item.len() + 1;
        }
    }
    res
}

fn typst(text: &str) -> Vec<DeclaredBibliography> {
    let mut res = Vec::new();
    let mut comments = CommentedLines::new(text, "//");
    for caps in TYPST.captures_iter(text) {
        let whole = caps.get(0).expect("group");
        if comments.is_commented(whole.start()) {
            continue;
        }
        let args = caps.get(1).expect("group");
        for quoted in QUOTED.captures_iter(args.as_str()) {
            let path = quoted.get(1).expect("group");
            let start = args.start() + path.start();
            res.push(DeclaredBibliography { path: path.as_str().to_owned(), range: start..start + path.len() });
        }
    }
    res
}

fn org(text: &str) -> Vec<DeclaredBibliography> {
    let mut res = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        // Compared as bytes: the 15th byte of a line can fall inside a multibyte character.
        if content.len() > 15 && content.as_bytes()[..15].eq_ignore_ascii_case(b"#+bibliography:") {
            push_value(&mut res, text, at + 15, &content[15..]);
        }
        at += line.len();
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `latex_declarations` replaced, kept as its oracle: the same matches on any text.
    static LATEX: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\\(?:bibliography|addbibresource|addglobalbib|addsectionbib)(?:\[[^\]]*\])?\{([^}]*)\}")
            .expect("valid regex")
    });

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]
        #[test]
        fn latex_declarations_match_the_regular_expression(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "\\bibliography", "\\addbibresource", "\\addglobalbib", "\\addsectionbib", "\\bibliographystyle",
                "\\addbib", "bib", "\\", "{", "}", "[", "]", "refs", ",", " ", "\n", "%", "é", "[label=x]", "{a.bib}",
            ]), 0..16),
        ) {
            let text = parts.concat();
            let expected: Vec<(Range<usize>, Range<usize>)> = LATEX
                .captures_iter(&text)
                .map(|c| (c.get(0).expect("whole").range(), c.get(1).expect("list").range()))
                .collect();
            proptest::prop_assert_eq!(latex_declarations(&text), expected, "{:?}", text);
        }
    }

    fn check(dialect: Dialect, text: &str, expect: &[&str]) {
        let found = declared(dialect, text);
        let shown: Vec<String> = found.iter().map(|d| format!("{} @ {}", d.path, &text[d.range.clone()])).collect();
        assert_eq!(shown, expect);
    }

    #[test]
    fn pandoc_front_matter() {
        check(Dialect::Markdown, "---\ntitle: x\nbibliography: refs.bib\n---\nText\n", &["refs.bib @ refs.bib"]);
        check(
            Dialect::Markdown,
            "---\nbibliography: [a.bib, \"b.json\"]\n...\n",
            &["a.bib @ a.bib", "b.json @ b.json"],
        );
        check(
            Dialect::Markdown,
            "---\nbibliography:\n  - lib/a.bib\n  - 'b.yaml'\ntitle: t\n---\n",
            &["lib/a.bib @ lib/a.bib", "b.yaml @ b.yaml"],
        );
        check(Dialect::Markdown, "No front matter\nbibliography: refs.bib\n", &[]);
    }

    #[test]
    fn latex_typst_org() {
        check(
            Dialect::Latex,
            "\\bibliography{refs, more}\n% \\addbibresource{old.bib}\n\\addbibresource[label=x]{lib.bib}",
            &["refs.bib @ refs", "more.bib @ more", "lib.bib @ lib.bib"],
        );
        check(
            Dialect::Latex,
            "\\bibliography{../lib,./local,refs.bib}",
            &["../lib.bib @ ../lib", "./local.bib @ ./local", "refs.bib @ refs.bib"],
        );
        check(
            Dialect::Typst,
            "#bibliography(\"refs.bib\", style: \"apa\")\n#bibliography((\"a.bib\", \"b.yml\"))",
            &["refs.bib @ refs.bib", "a.bib @ a.bib", "b.yml @ b.yml"],
        );
        check(Dialect::Org, "#+title: x\n#+bibliography: refs.bib\n", &["refs.bib @ refs.bib"]);
    }

    #[test]
    fn commented_declarations_on_one_line() {
        check(
            Dialect::Latex,
            "\\bibliography{a} % \\bibliography{b} \\bibliography{c}\n\\bibliography{d}%\n\\bibliography{e}",
            &["a.bib @ a", "d.bib @ d", "e.bib @ e"],
        );
        check(
            Dialect::Typst,
            "#bibliography(\"a.bib\") / / #bibliography(\"b.bib\") // #bibliography(\"c.bib\")\n#bibliography(\"d.bib\")",
            &["a.bib @ a.bib", "b.bib @ b.bib", "d.bib @ d.bib"],
        );
    }

    /// Issue 10, fault 2: a line whose 15th byte falls inside a character panicked.
    #[test]
    fn issue_10_org_line_with_multibyte_character_at_the_label_boundary() {
        check(Dialect::Org, "abcdefghijklmn李 see [cite:@a]\n#+bibliography: 李.bib\n", &["李.bib @ 李.bib"]);
    }
}
