//! The manuscript layer: finding the citations in the text a researcher is writing.
//!
//! A manuscript is a Markdown, LaTeX, Typst or Org file, or a plain-text note. Each dialect has
//! its own scanner, written as a hand-made byte loop that runs in linear time and never panics:
//! the editor calls these on every keystroke, on whatever half-typed text the buffer holds. A
//! scanner reports the citations it found together with the stretches of text where nothing
//! is cited (code, comments, verbatim blocks); the shared bare-DOI pass then adds every DOI
//! written in running text outside those stretches, in every dialect.
//!
//! Everything here is a pure function of the text, and every position is a byte offset.
//! Malformed DOIs are data, not failure: [`scan_with_problems`] returns them beside the
//! citations, with the same code and comment stretches left out.

mod bare_doi;
pub mod bibliography;
mod latex;
mod markdown;
mod org;
pub mod project;
mod prose;
mod text;
mod typst;
pub mod workspace;

use std::ops::Range;
use std::path::Path;

pub use crate::corpus::doi::MalformedDoi;
pub use prose::{ProseCitation, family_key};

use text::Spans;

/// Which syntax a manuscript is written in, chosen from the file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    Markdown,
    Latex,
    Typst,
    Org,
    Plain,
}

impl Dialect {
    /// Chooses the dialect from a file name or path. The extension is compared without regard
    /// to case, so `notes.MD` is Markdown too; a file without a known extension is a plain-text
    /// note, where only bare DOIs are found.
    pub fn from_path(path: &str) -> Dialect {
        let extension = Path::new(path).extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("md" | "markdown" | "qmd" | "rmd") => Dialect::Markdown,
            Some("tex" | "latex" | "ltx") => Dialect::Latex,
            Some("typ") => Dialect::Typst,
            Some("org") => Dialect::Org,
            _ => Dialect::Plain,
        }
    }
}

/// How a citation was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// Pandoc Markdown: `[@key]`, `@key`, `@{key}`, including Manubot identifiers.
    Pandoc,
    /// A LaTeX citation command: `\cite{key}`, `\textcite[p.~3]{key}`, `\parencites{a}{b}`.
    LatexCite,
    /// A Typst reference `@key` or `#cite(<key>)`. Typst writes references to its own labels
    /// the same way, so the analysis layer decides whether `@sec:intro` names a source.
    Typst,
    /// An Org citation: `[cite:@key]`, `[cite/t:@a;@b]`.
    OrgCite,
    /// A DOI written in running text: `doi:10.…`, `https://doi.org/10.…`, bare `10.NNNN/…`.
    BareDoi,
}

/// One citation found in a manuscript.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    /// What the citation names, exactly as written: a key such as `smith2020`, or a Manubot
    /// identifier such as `doi:10.1000/xyz` (prefix kept, `@` dropped), or for a bare DOI the
    /// normalised DOI text prefixed `doi:`.
    pub key: compact_str::CompactString,
    /// Byte range of the key itself in the text (without `@`, braces or `\cite{`), so
    /// hover/definition can test the cursor against it and diagnostics underline exactly the
    /// key. For a bare DOI it covers the DOI without its `doi:` or resolver prefix.
    pub range: Range<usize>,
    pub syntax: Syntax,
}

/// Where the cursor is inside a citation being typed, for completion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionContext {
    /// The partial key typed so far, replaced by the completion: from just after the `@`,
    /// `{`, `,` or `<` that opened it to the end of the key, which may lie after the cursor.
    pub range: Range<usize>,
    /// The text of `range`.
    pub prefix: String,
    pub syntax: Syntax,
}

/// A Manubot citation alias, `[@tag:x]: doi:10.1000/xyz` on a line of its own: `@tag:x`
/// cites the work the target names. The definition itself cites nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alias {
    /// The alias as cited, without `@`: `tag:x`.
    pub key: String,
    /// What it stands for, as a key: `doi:10.1000/xyz`, `url:https://…`, `pmid:123`.
    pub target: String,
    /// Byte range of the alias in its definition.
    pub range: Range<usize>,
}

/// What a dialect scanner hands back: its citations, and the stretches where the text is not
/// prose.
#[derive(Debug, Default)]
struct Scanned {
    citations: Vec<Citation>,
    /// Code, comments, verbatim blocks, math, front matter, template tags: nothing there is
    /// cited, not even a bare DOI.
    verbatim: Spans,
    /// Link destinations, autolinks, HTML tags, attributes, `\url{}` arguments, alias
    /// definitions: no key citation starts there, and a DOI written there
    /// (`[paper](https://doi.org/10.…)`) is the address of a link rather than a citation.
    no_keys: Spans,
    aliases: Vec<Alias>,
    /// Where a LaTeX scan can be taken up in a later version of the text (empty for the
    /// other dialects).
    resume: latex::ResumePoints,
}

impl Scanned {
    fn push(&mut self, key: &str, range: Range<usize>, syntax: Syntax) {
        self.citations.push(Citation { key: key.into(), range, syntax });
    }

    /// True when a citation may start at `pos`: it is neither in verbatim text nor in a link
    /// target or a tag.
    fn is_prose(&self, pos: usize) -> bool {
        !self.verbatim.contains(pos) && !self.no_keys.contains(pos)
    }
}

fn scan_dialect(dialect: Dialect, text: &str) -> Scanned {
    scan_dialect_with(dialect, text, &[])
}

fn scan_dialect_with(dialect: Dialect, text: &str, latex_commands: &[String]) -> Scanned {
    completed(match dialect {
        Dialect::Markdown => markdown::scan(text),
        Dialect::Latex => latex::scan(text, latex_commands),
        Dialect::Typst => typst::scan(text),
        Dialect::Org => org::scan(text),
        Dialect::Plain => Scanned::default(),
    })
}

/// What every dialect's scan becomes once its scanner has read the whole text.
fn completed(mut scanned: Scanned) -> Scanned {
    scanned.verbatim.normalise();
    scanned.no_keys.normalise();
    // A scanner may learn that a stretch is verbatim after reading a citation in it (a
    // template tag spanning lines); such a citation is dropped here.
    let verbatim = &scanned.verbatim;
    scanned.citations.retain(|c| !verbatim.contains(c.range.start));
    scanned
}

/// Quarto's cross-reference types (`@fig-plot`, `@tbl-data`, `@thm-main`), as its
/// documentation lists them, and pandoc-crossref's and pandoc-xnos's (`@fig:plot`,
/// `@Fig:plot` at the start of a sentence).
const QUARTO_CROSS_REFERENCES: &[&str] = &[
    "fig", "tbl", "sec", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def", "exm", "exr", "sol", "rem", "alg",
    // Callouts.
    "nte", "tip", "wrn", "imp", "cau",
];
const CROSSREF_CROSS_REFERENCES: &[&str] = &["fig", "tbl", "sec", "eq", "lst", "table", "figure", "equation"];

/// Whether a Markdown key is a cross-reference to a figure, table, section or equation of the
/// document rather than a citation: `fig-plot` (Quarto) or `fig:plot` (pandoc-crossref,
/// pandoc-xnos). Pandoc reads both as citations; the filters that own them turn them into
/// numbered references before citeproc sees them, so they are neither listed nor diagnosed.
pub fn is_cross_reference(key: &str) -> bool {
    let Some(at) = key.find(['-', ':']) else { return false };
    let (kind, rest) = (&key[..at], &key[at + 1..]);
    if rest.is_empty() {
        return false;
    }
    let types = if key.as_bytes()[at] == b'-' { QUARTO_CROSS_REFERENCES } else { CROSSREF_CROSS_REFERENCES };
    types.iter().any(|t| t.eq_ignore_ascii_case(kind))
}

/// The Manubot citation aliases a manuscript defines (`[@tag:x]: doi:10.…`), in order.
pub fn aliases(dialect: Dialect, text: &str) -> Vec<Alias> {
    scan_dialect(dialect, text).aliases
}

/// The aliases of an older Manubot manuscript's `citation-tags.tsv`: a `tag`/`citation`
/// header, then one `tag<TAB>target` line per alias (`sci-hub<TAB>url:https://sci-hub.cc/`),
/// cited as `@tag:sci-hub`. Lines without a tab, or with an empty side, are skipped.
pub fn tag_file_aliases(text: &str) -> Vec<Alias> {
    let mut res = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let Some((tag, target)) = line.trim_end_matches(['\n', '\r']).split_once('\t') else { continue };
        let (tag, target) = (tag.trim(), target.trim());
        if tag.is_empty() || target.is_empty() || (tag == "tag" && target == "citation") {
            continue;
        }
        let tag_start = start + line.find(tag).unwrap_or(0);
        let key = if tag.starts_with("tag:") { tag.to_owned() } else { format!("tag:{tag}") };
        res.push(Alias { key, target: target.to_owned(), range: tag_start..tag_start + tag.len() });
    }
    res
}

/// Finds every citation in a manuscript, sorted by position, none overlapping another. Bare
/// DOIs are found in every dialect, except inside code and comments and except where a key
/// citation already covers them (`@doi:10.1/x` is reported once, as a key).
pub fn scan(dialect: Dialect, text: &str) -> Vec<Citation> {
    scan_citations(dialect, text, &[]).0
}

/// Like [`scan`], with LaTeX citation commands defined in the manuscript's other files
/// (see [`latex_cite_commands`]); other dialects ignore them.
pub fn scan_with_commands(dialect: Dialect, text: &str, latex_commands: &[String]) -> Vec<Citation> {
    scan_citations(dialect, text, latex_commands).0
}

/// The citation commands a LaTeX text defines (`\newcommand{\citeposs}[1]{\citeauthor{#1}…}`),
/// for scanning the files that use them, sorted.
pub fn latex_cite_commands(text: &str) -> Vec<String> {
    let mut commands: Vec<String> = latex::user_cite_commands(text).into_iter().collect();
    commands.sort();
    commands
}

/// Like [`scan`], and also returns the DOIs announced with `doi:` or a doi.org link that do
/// not hold a valid DOI (such as `doi:10.1111`), outside code and comments. A malformed DOI
/// inside a key citation (`@doi:10.1111`) is reported too: the key cannot resolve either.
/// This is for diagnostics rather than every keystroke: the malformed-DOI search of
/// [`crate::corpus::doi`] compares each announced DOI with every valid one, so on a text with
/// many of both it costs more than [`scan`].
pub fn scan_with_problems(dialect: Dialect, text: &str) -> (Vec<Citation>, Vec<MalformedDoi>) {
    let (citations, regions) = scan_citations(dialect, text, &[]);
    (citations, regions.malformed_dois(text))
}

/// The citations of a manuscript with the bare DOIs added, and where no citation starts.
fn scan_citations(dialect: Dialect, text: &str, latex_commands: &[String]) -> (Vec<Citation>, Regions) {
    add_bare_dois(dialect, text, scan_dialect_with(dialect, text, latex_commands))
}

/// A dialect scan completed with the bare DOIs, and its verbatim stretches.
fn add_bare_dois(dialect: Dialect, text: &str, mut scanned: Scanned) -> (Vec<Citation>, Regions) {
    let mut citations = std::mem::take(&mut scanned.citations);
    // A Typst URL is written in running text (Typst links it by itself), so a DOI link
    // there reads as one written in prose, as in a plain-text note.
    let no_links = Spans::default();
    let links = if dialect == Dialect::Typst { &no_links } else { &scanned.no_keys };
    bare_doi::add_bare_dois(text, &scanned.verbatim, links, &mut citations);
    (citations, Regions { verbatim: scanned.verbatim, no_keys: scanned.no_keys, resume: scanned.resume })
}

/// The author–year citations written as prose (`Buckley et al. (2022)`), outside code, math,
/// links and key citations; see [`prose`]. They are not key citations and never looked up as
/// keys.
pub fn prose_citations(dialect: Dialect, text: &str) -> Vec<ProseCitation> {
    let scanned = scan_dialect(dialect, text);
    prose::scan(dialect, text, &scanned.verbatim, &scanned.no_keys, &scanned.citations)
}

/// Everything analysis reads from one version of a manuscript, from one pass of the dialect
/// scanner: what [`scan`], [`aliases`] and [`prose_citations`] return.
pub struct ManuscriptScan {
    pub citations: Vec<Citation>,
    pub aliases: Vec<Alias>,
    pub prose: Vec<ProseCitation>,
    pub regions: Regions,
}

/// The stretches of a scanned text where no citation starts, kept with a scan so that
/// diagnostics find malformed DOIs, and completion finds the citation being typed, without
/// scanning the text again: the second scan cost as much memory as the first (issue 10, fault
/// 12), and was half of a completion's time at 10,000 entries (issue 11).
#[derive(Clone, Debug, Default)]
pub struct Regions {
    /// See [`Scanned`]'s field of the same name.
    verbatim: Spans,
    /// See [`Scanned`]'s field of the same name.
    no_keys: Spans,
    /// See [`Scanned`]'s field of the same name.
    resume: latex::ResumePoints,
}

impl Regions {
    /// What [`scan_with_problems`] returns as malformed DOIs, for the text this was scanned from.
    pub fn malformed_dois(&self, text: &str) -> Vec<MalformedDoi> {
        bare_doi::malformed_dois(text, &self.verbatim)
    }

    /// True when a citation may start at `pos` (see [`Scanned::is_prose`]).
    fn is_prose(&self, pos: usize) -> bool {
        !self.verbatim.contains(pos) && !self.no_keys.contains(pos)
    }
}

/// A scan of an earlier version of an open document, kept across edits so that completion in
/// a later version can take its LaTeX scan up at a resume point, and the diagnostics pass
/// finish that scan with the earlier one's findings before the point (see
/// [`ProseQuery::after_earlier`]). Shares what the earlier version's manuscript holds.
#[derive(Clone, Debug)]
pub struct EarlierScan {
    pub text: std::sync::Arc<str>,
    /// The earlier manuscript's citations, bare DOIs included.
    pub citations: std::sync::Arc<Vec<Citation>>,
    pub regions: std::sync::Arc<Regions>,
}

/// The whole LaTeX scan of a text, from `suffix`, a scan of it resumed at `from`, and the
/// scan of an `earlier` version, which agrees with the whole scan before `from` (see
/// [`latex::ScanState::resume`]): every construct starting before `from` ended there, so its
/// citations and stretches are the earlier scan's, cut at `from`.
fn spliced(earlier: &EarlierScan, from: usize, suffix: Scanned) -> Scanned {
    // Bare DOIs were added to the earlier citations after the scan; they are found again.
    let mut citations: Vec<Citation> =
        earlier.citations.iter().filter(|c| c.syntax != Syntax::BareDoi && c.range.end <= from).cloned().collect();
    citations.extend(suffix.citations);
    let mut verbatim = earlier.regions.verbatim.before(from);
    verbatim.extend(suffix.verbatim);
    let mut no_keys = earlier.regions.no_keys.before(from);
    no_keys.extend(suffix.no_keys);
    Scanned { citations, verbatim, no_keys, aliases: suffix.aliases, resume: suffix.resume }
}

/// [`scan_with_commands`], [`aliases`] and [`prose_citations`] at the cost of one dialect
/// scan: a large manuscript is scanned once per version, not once per question.
pub fn scan_manuscript(dialect: Dialect, text: &str, latex_commands: &[String]) -> ManuscriptScan {
    scan_manuscript_reusing(dialect, text, latex_commands, None)
}

/// A dialect scan of one text made to answer a completion (see [`ProseQuery`]), which the
/// version's diagnostics pass takes instead of scanning the same text again.
#[derive(Debug)]
pub struct DialectScan {
    dialect: Dialect,
    /// Where the scanned text was, and its length: the caller keeps that text alive while it
    /// keeps the scan, so no other text can be at the same place.
    text_at: usize,
    text_len: usize,
    made: MadeScan,
}

/// How far a scan made for completion went.
#[derive(Debug)]
enum MadeScan {
    /// The whole text was read.
    Whole(Scanned),
    /// A LaTeX scan stopped after the citation being typed (see [`latex::ScanState`]).
    Latex(latex::ScanState),
    /// A LaTeX scan taken up at a resume point of an earlier version's scan (see
    /// [`latex::ScanState::resume`]), finished with that scan's findings before the point.
    Resumed(latex::ScanState, EarlierScan),
}

impl MadeScan {
    /// The scan of all of `text` (the text this was made of).
    fn finish(self, text: &str) -> Scanned {
        match self {
            MadeScan::Whole(scanned) => scanned,
            MadeScan::Latex(state) => completed(state.finish(text)),
            MadeScan::Resumed(state, earlier) => {
                let from = state.from();
                completed(spliced(&earlier, from, state.finish(text)))
            }
        }
    }
}

impl DialectScan {
    /// Whether this is a scan of `text` (the same allocation) in `dialect`.
    pub fn is_of(&self, dialect: Dialect, text: &str) -> bool {
        self.dialect == dialect && self.text_at == text.as_ptr() as usize && self.text_len == text.len()
    }
}

/// [`scan_manuscript`], taking `made` instead of scanning when it is a scan of this very text
/// made without project commands, and `latex_commands` is empty too (the scan the completion
/// of a keystroke made is then the one the pass would make; while typing, the two were a
/// quarter of the server's time at 10,000 entries, issue 11).
pub fn scan_manuscript_reusing(
    dialect: Dialect,
    text: &str,
    latex_commands: &[String],
    made: Option<DialectScan>,
) -> ManuscriptScan {
    let made = made.filter(|made| latex_commands.is_empty() && made.is_of(dialect, text));
    let mut scanned = match made {
        Some(made) => made.made.finish(text),
        None => scan_dialect_with(dialect, text, latex_commands),
    };
    let prose = prose::scan(dialect, text, &scanned.verbatim, &scanned.no_keys, &scanned.citations);
    let aliases = std::mem::take(&mut scanned.aliases);
    let (mut citations, regions) = add_bare_dois(dialect, text, scanned);
    // A scan is kept as long as its version is open: without the room the vector grew into,
    // which was a third of a dense note's scan (issue 10, fault 12).
    citations.shrink_to_fit();
    ManuscriptScan { citations, aliases, prose, regions }
}

/// Tells whether the cursor at byte `offset` is inside a citation being typed, and which part
/// of the text a completion replaces. Returns `None` outside citations, and for an offset past
/// the end of the text or not on a character boundary.
pub fn completion_context(dialect: Dialect, text: &str, offset: usize) -> Option<CompletionContext> {
    completion_context_in(dialect, text, offset, None)
}

/// [`completion_context`] with the [`Regions`] of this very text's scan when the caller has
/// them (the scan of a manuscript's diagnostics pass). Without them, the text is scanned only
/// once the cursor is known to follow a citation's opening (`\cite{`, `[@`…): whether that
/// opening is in prose is the one question the scan answers here.
pub fn completion_context_in(
    dialect: Dialect,
    text: &str,
    offset: usize,
    regions: Option<&Regions>,
) -> Option<CompletionContext> {
    completion_context_at(&ProseQuery::new(dialect, text, regions), offset)
}

/// Whether a citation may start at a position of one text, for completion: from the
/// [`Regions`] of this text's scan when the caller has them, else from a dialect scan made on
/// the first question and kept, for the next question and for [`ProseQuery::into_scan`]. A
/// LaTeX scan reads only as far as the questions need; the pass that takes it reads the rest.
#[derive(Debug)]
pub struct ProseQuery<'t> {
    dialect: Dialect,
    text: &'t str,
    regions: Option<&'t Regions>,
    /// A scan of an earlier version of the text, whose resume points a LaTeX scan may go on
    /// from.
    earlier: Option<&'t EarlierScan>,
    made: std::cell::RefCell<Option<MadeScan>>,
}

impl<'t> ProseQuery<'t> {
    pub fn new(dialect: Dialect, text: &'t str, regions: Option<&'t Regions>) -> ProseQuery<'t> {
        ProseQuery { dialect, text, regions, earlier: None, made: std::cell::RefCell::new(None) }
    }

    /// Lets a LaTeX scan go on from a resume point of `earlier` (a scan of an earlier version
    /// of this text), instead of reading from the start.
    pub fn after_earlier(mut self, earlier: &'t EarlierScan) -> ProseQuery<'t> {
        self.earlier = Some(earlier);
        self
    }

    fn is_prose(&self, pos: usize) -> bool {
        if let Some(regions) = self.regions {
            return regions.is_prose(pos);
        }
        let mut made = self.made.borrow_mut();
        // A resumed scan answers from its resume point on; a question before it is answered
        // by a scan from the start.
        if matches!(&*made, Some(MadeScan::Resumed(state, _)) if pos < state.from()) {
            *made = None;
        }
        let made = made.get_or_insert_with(|| match self.dialect {
            Dialect::Latex => {
                let mut state = latex::ScanState::new(self.text, &[]);
                match self.earlier {
                    Some(earlier)
                        if state.resume(self.text, &earlier.text, &earlier.regions.resume, pos.saturating_add(1)) =>
                    {
                        MadeScan::Resumed(state, earlier.clone())
                    }
                    _ => MadeScan::Latex(state),
                }
            }
            dialect => MadeScan::Whole(scan_dialect(dialect, self.text)),
        });
        match made {
            MadeScan::Whole(scanned) => scanned.is_prose(pos),
            MadeScan::Latex(state) | MadeScan::Resumed(state, _) => {
                state.run_to(self.text, pos);
                state.is_prose(pos)
            }
        }
    }

    /// The scan made to answer, if one was (see [`scan_manuscript_reusing`]).
    pub fn into_scan(self) -> Option<DialectScan> {
        let made = self.made.into_inner()?;
        Some(DialectScan {
            dialect: self.dialect,
            text_at: self.text.as_ptr() as usize,
            text_len: self.text.len(),
            made,
        })
    }
}

/// [`completion_context_in`], asking `query` whether the citation's opening is in prose.
pub fn completion_context_at(query: &ProseQuery<'_>, offset: usize) -> Option<CompletionContext> {
    let (dialect, text) = (query.dialect, query.text);
    if !text.is_char_boundary(offset) {
        return None;
    }
    let is_prose = |pos: usize| query.is_prose(pos);
    let (range, syntax) = match dialect {
        Dialect::Markdown => markdown::completion_range(text, offset, &is_prose)?,
        Dialect::Latex => latex::completion_range(text, offset, &is_prose)?,
        Dialect::Typst => typst::completion_range(text, offset, &is_prose)?,
        Dialect::Org => org::completion_range(text, offset, &is_prose)?,
        Dialect::Plain => return None,
    };
    Some(CompletionContext { prefix: text[range.clone()].to_owned(), range, syntax })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Renders each citation as `key @ start..end Syntax` on its own line.
    pub(super) fn render(citations: &[Citation]) -> String {
        citations.iter().map(|c| format!("{} @ {}..{} {:?}\n", c.key, c.range.start, c.range.end, c.syntax)).collect()
    }

    fn check_dialect(path: &str, expect: Dialect) {
        assert_eq!(Dialect::from_path(path), expect, "{path}");
    }

    #[test]
    fn dialect_from_extension() {
        check_dialect("notes/intro.md", Dialect::Markdown);
        check_dialect("a.markdown", Dialect::Markdown);
        check_dialect("report.qmd", Dialect::Markdown);
        check_dialect("analysis.Rmd", Dialect::Markdown);
        check_dialect("analysis.rmd", Dialect::Markdown);
        check_dialect("thesis.tex", Dialect::Latex);
        check_dialect("thesis.latex", Dialect::Latex);
        check_dialect("thesis.ltx", Dialect::Latex);
        check_dialect("paper.typ", Dialect::Typst);
        check_dialect("journal.org", Dialect::Org);
        check_dialect("notes.txt", Dialect::Plain);
        check_dialect("README", Dialect::Plain);
        check_dialect(".md", Dialect::Plain);
        check_dialect("dir.md/file", Dialect::Plain);
    }

    #[test]
    fn citation_tags_tsv() {
        let tsv = "tag\tcitation\nsci-hub\turl:https://example.org/hub\r\n  spaced \t doi:10.1000/xyz \nbroken line\nempty\t\n";
        let found: Vec<String> =
            tag_file_aliases(tsv).iter().map(|a| format!("{} -> {} @ {:?}", a.key, a.target, a.range)).collect();
        assert_eq!(
            found,
            ["tag:sci-hub -> url:https://example.org/hub @ 13..20", "tag:spaced -> doi:10.1000/xyz @ 52..58"]
        );
    }

    fn check_scan(dialect: Dialect, fixture: &str) -> String {
        render(&scan(dialect, fixture))
    }

    #[test]
    fn bare_dois_in_every_dialect() {
        let note = "Read doi:10.1111/hex.13774 and https://doi.org/10.1080/2159676X.2022.2152085.";
        insta::assert_snapshot!(check_scan(Dialect::Plain, note), @"
        doi:10.1111/hex.13774 @ 9..26 BareDoi
        doi:10.1080/2159676x.2022.2152085 @ 47..76 BareDoi
        ");
        insta::assert_snapshot!(check_scan(Dialect::Markdown, note), @"
        doi:10.1111/hex.13774 @ 9..26 BareDoi
        doi:10.1080/2159676x.2022.2152085 @ 47..76 BareDoi
        ");
        insta::assert_snapshot!(check_scan(Dialect::Latex, note), @"
        doi:10.1111/hex.13774 @ 9..26 BareDoi
        doi:10.1080/2159676x.2022.2152085 @ 47..76 BareDoi
        ");
        insta::assert_snapshot!(check_scan(Dialect::Typst, note), @"
        doi:10.1111/hex.13774 @ 9..26 BareDoi
        doi:10.1080/2159676x.2022.2152085 @ 47..76 BareDoi
        ");
        insta::assert_snapshot!(check_scan(Dialect::Org, note), @"
        doi:10.1111/hex.13774 @ 9..26 BareDoi
        doi:10.1080/2159676x.2022.2152085 @ 47..76 BareDoi
        ");
    }

    #[test]
    fn key_citation_and_bare_doi_are_merged_in_order() {
        insta::assert_snapshot!(check_scan(Dialect::Markdown, "10.1000/abc then @smith and @doi:10.1000/xyz."), @"
        doi:10.1000/abc @ 0..11 BareDoi
        smith @ 18..23 Pandoc
        doi:10.1000/xyz @ 29..44 Pandoc
        ");
    }

    #[test]
    fn malformed_dois_are_reported_outside_code() {
        let text = "See doi:10.1111 and `doi:10.2222` and @doi:10.3333.\n\n```\ndoi:nope\n```\n";
        let (citations, malformed) = scan_with_problems(Dialect::Markdown, text);
        let shown: String = malformed
            .iter()
            .map(|m| format!("{:?} @ {}..{}: {}\n", m.text, m.range.start, m.range.end, m.reason))
            .collect();
        insta::assert_snapshot!(render(&citations) + "--\n" + &shown, @r#"
        doi:10.3333 @ 39..50 Pandoc
        --
        "10.1111" @ 4..15: a DOI needs a `/` between the registrant prefix and the suffix
        "10.3333" @ 39..50: a DOI needs a `/` between the registrant prefix and the suffix
        "#);
    }

    #[test]
    fn completion_outside_the_text_is_none() {
        for dialect in [Dialect::Markdown, Dialect::Latex, Dialect::Typst, Dialect::Org, Dialect::Plain] {
            assert_eq!(completion_context(dialect, "@é", 100), None);
            assert_eq!(completion_context(dialect, "@é", 2), None, "inside the two bytes of é");
        }
        assert_eq!(completion_context(Dialect::Plain, "@smith", 6), None);
    }

    /// Completion with a manuscript's [`Regions`] answers as completion that scans: in prose,
    /// and not in code, comments or a link's address (each stretch a scan marks).
    #[test]
    fn completion_with_the_scans_regions_agrees() {
        let cases = [
            (Dialect::Markdown, "See [@smi<|>] and more.", true),
            (Dialect::Markdown, "Mail [me](https://example.org/@smi<|>) now.", false),
            (Dialect::Markdown, "Code `x = [@smi<|>]` here.", false),
            (Dialect::Latex, "As \\cite{smi<|>} shows.", true),
            (Dialect::Latex, "\\begin{verbatim}\n\\cite{smi<|>}\n\\end{verbatim}\n", false),
            (Dialect::Typst, "As #cite(<smi<|>>) shows.", true),
            (Dialect::Typst, "Code `@smi<|>` here.", false),
            (Dialect::Org, "As [cite:@smi<|>] shows.", true),
            (Dialect::Org, "#+begin_src\n[cite:@smi<|>]\n#+end_src\n", false),
        ];
        for (dialect, fixture, offered) in cases {
            let offset = fixture.find("<|>").unwrap();
            let text = fixture.replace("<|>", "");
            let regions = scan_manuscript(dialect, &text, &[]).regions;
            let scanned = completion_context(dialect, &text, offset);
            assert_eq!(scanned.is_some(), offered, "{fixture}");
            assert_eq!(completion_context_in(dialect, &text, offset, Some(&regions)), scanned, "{fixture}");
        }
    }

    /// The scan a completion made is taken by the version's pass only when it is a scan of that
    /// very text (the same allocation) with no project commands; the pass then finds what a
    /// scan of its own finds.
    #[test]
    fn a_completions_scan_serves_the_pass_of_its_own_text_only() {
        let render = |scan: &ManuscriptScan| {
            format!("{:?} {:?} {:?} {:?}", scan.citations, scan.aliases, scan.prose, scan.regions)
        };
        let cases = [
            (Dialect::Markdown, "See [@smi<|>] and [@doe2020], Doe et al. (2020), `[@code]`, doi:10.1000/x1.\n"),
            (Dialect::Latex, "As \\cite{smi<|>} and \\citep{doe2020}; % \\cite{gone}\n\\url{https://doi.org/10.1/x}\n"),
            (Dialect::Typst, "As #cite(<smi<|>>) and @doe2020 show.\n"),
            (Dialect::Org, "As [cite:@smi<|>] and [cite:@doe2020].\n"),
        ];
        for (dialect, fixture) in cases {
            let offset = fixture.find("<|>").unwrap();
            let text = fixture.replace("<|>", "");
            let fresh = render(&scan_manuscript(dialect, &text, &[]));
            let query = ProseQuery::new(dialect, &text, None);
            assert!(completion_context_at(&query, offset).is_some(), "{fixture}");
            let made = query.into_scan().expect("completion scanned to answer");
            assert!(made.is_of(dialect, &text) && !made.is_of(dialect, &text.clone()), "{fixture}");
            assert_eq!(render(&scan_manuscript_reusing(dialect, &text, &[], Some(made))), fresh, "{fixture}");
            // A scan of another text, even of the same length, is not taken.
            let other = text.replace("doe2020", "roe2021");
            let query = ProseQuery::new(dialect, &other, None);
            completion_context_at(&query, offset);
            let made = query.into_scan().expect("scanned");
            assert_eq!(render(&scan_manuscript_reusing(dialect, &text, &[], Some(made))), fresh, "{fixture}");
        }
        // Nor one made without the project's commands, for a scan that has them.
        let text = "\\citeposs{smith2020} and \\cite{doe2020}.".to_owned();
        let commands = ["citeposs".to_owned()];
        let query = ProseQuery::new(Dialect::Latex, &text, None);
        completion_context_at(&query, text.find("doe").unwrap());
        let made = query.into_scan().expect("scanned");
        let fresh = render(&scan_manuscript(Dialect::Latex, &text, &commands));
        assert!(fresh.contains("smith2020"));
        assert_eq!(render(&scan_manuscript_reusing(Dialect::Latex, &text, &commands, Some(made))), fresh);
    }

    #[test]
    fn scanning_is_linear_in_practice() {
        // About 2 MB with 5,000 citations of each dialect's kind; the count is what is checked,
        // the test exists so that a quadratic scanner shows up as a test run that never ends.
        let filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit (see table 3). ".repeat(6);
        let mut markdown = String::new();
        let mut latex = String::new();
        let mut typst = String::new();
        let mut org = String::new();
        let mut plain = String::new();
        for i in 0..5_000 {
            markdown.push_str(&format!("{filler} `code` [see @key{i}, p. 3] *emphasis*\n\n"));
            latex.push_str(&format!("{filler} % comment\n\\citep[p.~3]{{key{i}}} 50\\%\n\n"));
            typst.push_str(&format!("{filler} `raw` @key{i} // comment\n\n"));
            org.push_str(&format!("{filler} ~code~ [cite:@key{i} p. 3]\n\n"));
            plain.push_str(&format!("{filler} doi:10.1000/key{i}.\n"));
        }
        assert!(markdown.len() > 2_000_000, "{}", markdown.len());
        assert_eq!(scan(Dialect::Markdown, &markdown).len(), 5_000);
        assert_eq!(scan(Dialect::Latex, &latex).len(), 5_000);
        assert_eq!(scan(Dialect::Typst, &typst).len(), 5_000);
        assert_eq!(scan(Dialect::Org, &org).len(), 5_000);
        assert_eq!(scan(Dialect::Plain, &plain).len(), 5_000);
        assert!(completion_context(Dialect::Markdown, &markdown, markdown.len() - 10).is_none());
    }

    #[test]
    fn pathological_inputs_stay_linear() {
        // Openers without closers are where a naive scanner searches to the end of the text
        // again and again; each of these once made a scanner here quadratic or nearly so.
        let units = [
            "`",
            "`` ",
            "<!-- ",
            "$x ",
            "$$x",
            "[a](",
            "[x]{",
            "@{a ",
            "<a x=\"",
            "<?",
            "```\n",
            "\\cite[",
            "\\cite{",
            "\\begin{x",
            "\\begin{x}",
            "\\end{",
            "\\foo{",
            "/* ",
            "[cite:@a ",
            "#+begin_src\n",
            "*a ",
            "(@x) ",
            "@x. ",
            "doi:10.1000/",
            "\\newcommand{\\c}[1]{\\cite{#1} ",
            "\\url{",
            "{{ @a ",
            "{% ",
            "{## ",
            "[@a]: ",
            "```{r `x`}\n",
            "((((",
            "))))",
            "[[[[",
            "]]]]",
        ];
        for unit in units {
            let text = unit.repeat(200_000 / unit.len());
            for dialect in [Dialect::Markdown, Dialect::Latex, Dialect::Typst, Dialect::Org, Dialect::Plain] {
                let _ = scan(dialect, &text);
                let _ = completion_context(dialect, &text, text.len() / 2);
            }
        }
    }

    /// Pieces of every dialect's syntax, so that random texts reach deep into the scanners
    /// rather than stopping at the first unknown character.
    fn syntax_soup() -> impl Strategy<Value = String> {
        const PIECES: &[&str] = &[
            "@",
            "@a",
            "@{b}",
            "[",
            "]",
            "(",
            ")",
            "{",
            "}",
            "<",
            ">",
            "`",
            "```",
            "~~~",
            "\\",
            "\\cite{",
            "\\begin{verbatim}",
            "\\end{verbatim}",
            "%",
            "$",
            "$$",
            "*",
            "_",
            "<!--",
            "-->",
            "#cite(<",
            "[cite:@",
            ";",
            ",",
            ":",
            ".",
            "-",
            "/",
            "//",
            "/*",
            "*/",
            "#+begin_src",
            "#+end_src",
            "# ",
            "\n",
            "\n\n",
            "\r\n",
            "\r",
            "    ",
            "\t",
            "é",
            "😀",
            "\0",
            "doi:10.1000/x",
            "10.1234/",
            "(@ex) ",
            "@x.",
            ":::",
            "[^1]",
            "\\foo",
            "x",
            " ",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|parts| parts.concat())
    }

    /// LaTeX's constructs, and what breaks them, to cut a LaTeX scan at any point of.
    fn latex_soup() -> impl Strategy<Value = String> {
        const PIECES: &[&str] = &[
            "\\cite{",
            "\\citep[p.~3][see]{",
            "\\parencites(a)",
            "\\Textcite*",
            "\\verb|",
            "\\verb*+",
            "\\lstinline{",
            "|",
            "+",
            "\\url{",
            "\\href{",
            "\\begin{verbatim}",
            "\\end{verbatim}",
            "\\begin{comment}",
            "\\end{comment}",
            "\\newcommand{\\mycite}[1]{\\cite{#1}}",
            "\\mycite{",
            "\\%",
            "\\\\",
            "\\",
            "%",
            "{",
            "}",
            "[",
            "]",
            "(",
            ")",
            ",",
            "a",
            "key1",
            " ",
            "\n",
            "\n\n",
            "é",
            " 10.1000/x1 ",
        ];
        proptest::collection::vec(proptest::sample::select(PIECES), 0..40).prop_map(|parts| parts.concat())
    }

    /// A paragraph of plain prose: soup with a few of these between its constructs has resume
    /// points further apart than a construct may look ahead (4 KB).
    const LONG_PROSE: &str = "Plain words of a long paragraph, with nothing a LaTeX scanner stops at.\n";

    /// [`latex_soup`] in stretches with paragraphs of prose between them, as long as a paper.
    fn long_latex_soup() -> impl Strategy<Value = String> {
        proptest::collection::vec((latex_soup(), 0usize..80), 1..10)
            .prop_map(|parts| parts.into_iter().map(|(soup, lines)| soup + &LONG_PROSE.repeat(lines)).collect())
    }

    /// `text` with `deleted` bytes at `at` (both as fractions of its length, rounded to
    /// characters) replaced by `inserted`.
    fn edited(text: &str, at: f64, deleted: usize, inserted: &str) -> String {
        let start = text.floor_char_boundary((text.len() as f64 * at) as usize);
        let end = text.floor_char_boundary((start + deleted).min(text.len())).max(start);
        format!("{}{inserted}{}", &text[..start], &text[end..])
    }

    /// A LaTeX paper of some 40 resume points, and a later version of it.
    fn long_paper(typed: &str) -> (String, String) {
        let part =
            format!("\\section{{Intro}}\nAs \\cite{{a1, b2}} show (doi 10.1000/x1) %note\n{}", LONG_PROSE.repeat(40));
        let earlier = part.repeat(12);
        let at = earlier.len() - 3 * part.len() / 2;
        let later = format!("{}{typed}{}", &earlier[..at], &earlier[at..]);
        (earlier, later)
    }

    /// The scan of `text` as an earlier version's, as the server keeps it.
    fn earlier_scan(text: &str) -> EarlierScan {
        let scan = scan_manuscript(Dialect::Latex, text, &[]);
        EarlierScan {
            text: text.into(),
            citations: std::sync::Arc::new(scan.citations),
            regions: std::sync::Arc::new(scan.regions),
        }
    }

    /// What a manuscript's scan finds, to compare two scans of one text.
    fn findings(scan: &ManuscriptScan) -> String {
        format!("{:?}\n{:?}\n{:?}\n{:?}", scan.citations, scan.aliases, scan.prose, scan.regions)
    }

    /// Completion in a later version of a long paper reads from a resume point a few
    /// kilobytes before the edit, not from the start, and finds what a whole scan finds; the
    /// diagnostics pass finishes that scan into the whole one.
    #[test]
    fn a_later_version_is_scanned_from_a_resume_point_before_the_edit() {
        let (earlier, later) = long_paper("\\citep{ab} ");
        let earlier = earlier_scan(&earlier);
        let cursor = later.find("\\citep{ab").unwrap() + "\\citep{ab".len();
        let query = ProseQuery::new(Dialect::Latex, &later, None).after_earlier(&earlier);
        let context = completion_context_at(&query, cursor);
        assert_eq!(context, completion_context(Dialect::Latex, &later, cursor));
        assert_eq!(context.map(|c| c.prefix), Some("ab".to_owned()));
        let from = match &*query.made.borrow() {
            Some(MadeScan::Resumed(state, _)) => state.from(),
            _ => panic!("the scan did not go on from a resume point"),
        };
        let edit = cursor - "\\citep{ab".len();
        assert!(from < edit && edit - from < 8 * 1024, "resumed at {from} for an edit at {edit}");
        let finished = scan_manuscript_reusing(Dialect::Latex, &later, &[], query.into_scan());
        let whole = scan_manuscript(Dialect::Latex, &later, &[]);
        assert_eq!(findings(&finished), findings(&whole));
        assert!(whole.citations.iter().any(|c| c.key == "ab"));
    }

    /// No resume point is taken when the edit defines a citation command (the scan before
    /// the point may then read otherwise), nor when the text differs before it.
    #[test]
    fn no_resume_point_when_commands_or_early_text_differ() {
        let resumed = |earlier: &str, later: &str| {
            let earlier = earlier_scan(earlier);
            let cursor = later.rfind("\\cite{x").unwrap() + "\\cite{x".len();
            let query = ProseQuery::new(Dialect::Latex, later, None).after_earlier(&earlier);
            let _ = completion_context_at(&query, cursor);
            matches!(query.made.into_inner(), Some(MadeScan::Resumed(..)))
        };
        let (earlier, later) = long_paper("\\citep{ab");
        assert!(resumed(&earlier, &format!("{later}\\cite{{x")));
        // `\mycite` cited nothing in the earlier version; defined later, it cites from the
        // start of the text.
        let (earlier, later) = long_paper("\\mycite{ab} ");
        assert!(resumed(&earlier, &format!("{later}\\cite{{x")));
        assert!(!resumed(&earlier, &format!("{later}\\cite{{x \\newcommand{{\\mycite}}[1]{{\\cite{{#1}}}}")));
        let early = format!("x{later}\\cite{{x");
        assert!(!resumed(&earlier, &early));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        /// A LaTeX scan stopped after any position (as completion stops it) says what the whole
        /// scan says about every position up to there, and once finished (as the diagnostics
        /// pass finishes it) is the whole scan.
        #[test]
        fn latex_scan_stopped_anywhere_agrees_with_the_whole(
            text in latex_soup(),
            stops in proptest::collection::vec(0usize..400, 0..4),
        ) {
            let whole = scan_dialect(Dialect::Latex, &text);
            let mut state = latex::ScanState::new(&text, &[]);
            for stop in stops {
                state.run_to(&text, stop);
                for pos in 0..=stop.min(text.len()) {
                    prop_assert_eq!(state.is_prose(pos), whole.is_prose(pos), "at {} after a stop at {}", pos, stop);
                }
            }
            prop_assert_eq!(format!("{:?}", completed(state.finish(&text))), format!("{:?}", whole));
        }

        /// A LaTeX scan of a later version of a text, taken up at a resume point of the scan
        /// of the earlier version, says what the whole scan of the later version says about
        /// every position from that point on, and once finished is the whole scan.
        #[test]
        fn latex_scan_resumed_after_an_edit_agrees_with_the_whole(
            earlier in long_latex_soup(),
            point in any::<proptest::sample::Index>(),
            after_point in 0usize..4200,
            deleted in 0usize..40,
            inserted in latex_soup(),
            questions in proptest::collection::vec(0usize..6000, 1..6),
        ) {
            let earlier = earlier_scan(&earlier);
            // Edits just past a resume point, where what a construct before it looked at changes.
            let points = earlier.regions.resume.points();
            let at = points.get(point.index(points.len().max(1))).map_or(0, |p| p + after_point);
            let text = edited(&earlier.text, at as f64 / earlier.text.len().max(1) as f64, deleted, &inserted);
            let whole = scan_dialect(Dialect::Latex, &text);
            let whole_findings = findings(&scan_manuscript(Dialect::Latex, &text, &[]));
            for question in questions {
                let pos = text.floor_char_boundary(at + question);
                let query = ProseQuery::new(Dialect::Latex, &text, None).after_earlier(&earlier);
                prop_assert_eq!(query.is_prose(pos), whole.is_prose(pos), "at {}", pos);
                if let Some(MadeScan::Resumed(state, _)) = &*query.made.borrow() {
                    prop_assert!(state.from() <= pos);
                    for p in state.from()..=pos {
                        prop_assert_eq!(state.is_prose(p), whole.is_prose(p), "at {} resumed from {}", p, state.from());
                    }
                }
                // Finished by a diagnostics pass, it is the whole scan.
                let finished = scan_manuscript_reusing(Dialect::Latex, &text, &[], query.into_scan());
                prop_assert_eq!(findings(&finished), whole_findings.clone());
            }
        }

        #[test]
        fn syntax_soup_never_panics(text in syntax_soup(), offset in 0usize..200) {
            for dialect in [Dialect::Markdown, Dialect::Latex, Dialect::Typst, Dialect::Org, Dialect::Plain] {
                let (citations, _) = scan_with_problems(dialect, &text);
                for pair in citations.windows(2) {
                    prop_assert!(pair[0].range.end <= pair[1].range.start, "{:?}", pair);
                }
                let context = completion_context(dialect, &text, offset);
                let regions = scan_manuscript(dialect, &text, &[]).regions;
                prop_assert_eq!(&completion_context_in(dialect, &text, offset, Some(&regions)), &context);
                if let Some(context) = context {
                    prop_assert_eq!(&text[context.range.clone()], context.prefix.as_str());
                }
            }
        }

        #[test]
        fn never_panics_and_results_are_ordered(text in "(\\PC|[\\x00\\r\\n\\t`@\\[\\]{}<>#%$\\\\*_~:;,.-]|\r\n|😀){0,120}", offset in 0usize..130) {
            for dialect in [Dialect::Markdown, Dialect::Latex, Dialect::Typst, Dialect::Org, Dialect::Plain] {
                let citations = scan(dialect, &text);
                for pair in citations.windows(2) {
                    prop_assert!(pair[0].range.end <= pair[1].range.start, "{:?}", pair);
                }
                for citation in &citations {
                    prop_assert!(text.get(citation.range.clone()).is_some());
                }
                let prose = prose_citations(dialect, &text);
                for pair in prose.windows(2) {
                    prop_assert!(pair[0].range.end <= pair[1].range.start, "{:?}", pair);
                }
                for found in &prose {
                    prop_assert!(text.get(found.range.clone()).is_some());
                    prop_assert!(text.get(found.year_range.clone()).is_some());
                }
                if let Some(context) = completion_context(dialect, &text, offset) {
                    prop_assert!(context.range.start <= offset && offset <= context.range.end);
                    prop_assert_eq!(&text[context.range.clone()], context.prefix.as_str());
                }
            }
        }
    }
}
