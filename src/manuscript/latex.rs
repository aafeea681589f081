//! LaTeX citations: the citation commands of natbib, biblatex and plain LaTeX, with their
//! starred and capitalised forms, up to two optional arguments and several keys, such as
//! `\textcite[see][p.~3]{smith2020, jones2019}` or the multi-citation `\parencites{a}[p.~2]{b}`.
//!
//! Each key is reported with its own range. `%` starts a comment (but `\%` is a percent sign),
//! and `verbatim`-like environments and `\verb|…|` hold no citations. Citations are matched by
//! command name rather than by parsing TeX, so a redefined `\cite` is still a citation, and a
//! home-made citation command is not.

use std::collections::HashSet;
use std::ops::Range;

use super::text::{Finder, Positions, char_at, is_blank, is_escaped, line_end, line_start};
use super::{Scanned, Syntax};

/// Commands that take one list of keys, named with a lower-case first letter; the
/// capitalised form (`\Textcite`, `\Citep`) is the same command at the start of a sentence.
const CITE_COMMANDS: &[&str] = &[
    // LaTeX and natbib.
    "cite",
    "citet",
    "citep",
    "citealt",
    "citealp",
    "citeauthor",
    "citeyear",
    "citeyearpar",
    "citenum",
    "nocite",
    // biblatex.
    "parencite",
    "footcite",
    "footcitetext",
    "textcite",
    "smartcite",
    "autocite",
    "supercite",
    "fullcite",
    "footfullcite",
    "citetitle",
    "citedate",
    "citeurl",
    "notecite",
    "pnotecite",
    "fnotecite",
    // apacite.
    "citeA",
    "citeNP",
    "citeauthorNP",
    "citeyearNP",
    "shortcite",
    "shortciteNP",
];

/// biblatex's multi-citation commands: each key list may have its own optional arguments,
/// and the whole may start with global notes in parentheses.
const MULTI_CITE_COMMANDS: &[&str] =
    &["cites", "parencites", "footcites", "footcitetexts", "textcites", "smartcites", "autocites", "supercites"];

/// Environments whose content TeX reads verbatim, with the text that ends each.
const VERBATIM_ENVIRONMENTS: &[(&str, &str)] = &[
    ("verbatim", "\\end{verbatim}"),
    ("verbatim*", "\\end{verbatim*}"),
    ("Verbatim", "\\end{Verbatim}"),
    ("BVerbatim", "\\end{BVerbatim}"),
    ("lstlisting", "\\end{lstlisting}"),
    ("minted", "\\end{minted}"),
    ("comment", "\\end{comment}"),
];

/// The longest optional argument or key list read; a longer one is treated as not closed.
/// This keeps the scan linear when a text holds many `\cite[` without `]`.
const MAX_ARGUMENT: usize = 4096;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CiteKind {
    Single,
    Multi,
}

/// Whether `name` (without backslash) is a citation command, and of which kind.
fn cite_kind(name: &str) -> Option<CiteKind> {
    // Compared byte by byte, the first one folded to lower case: every command is ASCII, so a
    // name starting with another character matches none. It runs for every control sequence
    // of the manuscript at every edit, where building the uncapitalised name as a string was
    // an allocation each (issue 11).
    let (&first, rest) = name.as_bytes().split_first()?;
    let named = |command: &&str| {
        let (&command_first, command_rest) = command.as_bytes().split_first().unwrap_or((&0, &[]));
        command_first == first.to_ascii_lowercase() && command_rest == rest
    };
    if CITE_COMMANDS.iter().any(named) {
        Some(CiteKind::Single)
    } else if MULTI_CITE_COMMANDS.iter().any(named) {
        Some(CiteKind::Multi)
    } else {
        None
    }
}

/// Whether `name` (without backslash) is a citation command LaTeX packages define.
pub(super) fn is_cite_command(name: &str) -> bool {
    cite_kind(name).is_some()
}

/// Characters of a citation key: BibTeX keys hold neither blanks nor `,{}%\`.
fn is_key_byte(b: u8) -> bool {
    KEY_BYTES[usize::from(b)]
}

/// [`is_key_byte`] for every byte. The test as a `match` compiled to a jump per byte of every
/// key, which mispredicted: half of reading a citation command, the larger part of a LaTeX
/// scan (issue 11).
const KEY_BYTES: [bool; 256] = {
    let mut table = [true; 256];
    let stops = *b" \t\n\x0c\r,{}%\\[]";
    let mut i = 0;
    while i < stops.len() {
        table[stops[i] as usize] = false;
        i += 1;
    }
    table
};

/// Scans `text`; `extra_commands` are citation commands defined in the manuscript's other
/// files (a thesis defines `\citeposs` in its preamble and uses it in every chapter).
pub(super) fn scan(text: &str, extra_commands: &[String]) -> Scanned {
    ScanState::new(text, extra_commands).finish(text)
}

/// A scan of one text that can stop after a position and go on later: completion asks only
/// whether the `\cite` before the cursor is in prose, which the text after it cannot change,
/// and the diagnostics pass of the same version finishes the scan (completion right after
/// typing waited for a scan of the whole text, a fifth of the server's time, issue 11).
///
/// Everything it holds is its own, so it outlives the borrow of the text; each call must be
/// given the text it was made for.
#[derive(Debug)]
pub(super) struct ScanState {
    /// Where the scan goes on: no construct starting before it is left unread.
    pos: usize,
    /// Where the scan started: 0, or a resume point of an earlier version of the text (see
    /// [`ScanState::resume`]), before which it knows nothing.
    from: usize,
    scanned: Scanned,
    /// One finder per verbatim environment met, so an unclosed one is searched for once.
    environment_ends: Vec<(&'static str, Finder)>,
    closers: Closers,
    brace_close: Finder,
    /// Citation commands the text defines itself (see [`user_cite_commands`]).
    user_commands: HashSet<String>,
}

impl ScanState {
    /// A scan of `text` that has read nothing yet.
    pub(super) fn new(text: &str, extra_commands: &[String]) -> ScanState {
        let mut user_commands = user_cite_commands(text);
        user_commands.extend(extra_commands.iter().filter(|c| cite_kind(c).is_none()).cloned());
        ScanState {
            pos: 0,
            from: 0,
            scanned: Scanned::default(),
            environment_ends: Vec::new(),
            closers: Closers::default(),
            brace_close: Finder::new("}"),
            user_commands,
        }
    }

    /// Moves a scan of `text` that has read nothing yet to a resume point of a finished scan
    /// of an `earlier` version of it, the last one before `before` that the edits since left
    /// valid, and returns whether it did: while typing, only the few kilobytes before the
    /// cursor are read instead of everything before it (a LaTeX paper's completion scanned
    /// half of it on average, a fifth of the server's time in a completion, issue 11).
    ///
    /// A resume point is where the scan stood between two constructs. Going on from there
    /// with a fresh state reads what the whole scan of `text` reads from there, provided the
    /// scan of `text` up to the point made the decisions that of `earlier` made: it does when
    /// both define the same citation commands and agree on every byte any construct starting
    /// before the point may have looked at ([`reach`]).
    pub(super) fn resume(&mut self, text: &str, earlier: &str, points: &ResumePoints, before: usize) -> bool {
        debug_assert!(self.pos == 0, "only a scan that has read nothing yet is moved");
        let same_commands = self.user_commands.len() == points.commands.len()
            && points.commands.iter().all(|command| self.user_commands.contains(command));
        if !same_commands {
            return false;
        }
        let agreed = common_prefix(text.as_bytes(), earlier.as_bytes());
        let bytes = text.as_bytes();
        let at = points.points.partition_point(|&point| point < before);
        let Some(index) = points.points[..at].iter().rposition(|&point| reach(bytes, point) < agreed) else {
            return false;
        };
        let from = points.points[index];
        self.pos = from;
        self.from = from;
        // The points before it are the whole scan's too, and the next is noted where the
        // whole scan would note it.
        self.scanned.resume.points = points.points[..=index].to_vec();
        true
    }

    /// Where the scan started: [`ScanState::is_prose`] answers only from there on, and
    /// [`ScanState::finish`] returns only what starts there or later (with every resume point).
    pub(super) fn from(&self) -> usize {
        self.from
    }

    /// Reads on until every construct starting at or before `limit` is read (a construct
    /// read may end after it). A span recorded later starts after `limit`, so
    /// [`ScanState::is_prose`] is then final for positions up to `limit`.
    pub(super) fn run_to(&mut self, text: &str, limit: usize) {
        Scanner { text, bytes: text.as_bytes(), state: self }.run(limit);
    }

    /// True when a citation may start at `pos`, for a `pos` up to the `limit` of the last
    /// [`ScanState::run_to`]. The spans are not merged yet, so each is asked (a manuscript has
    /// a few hundred at most, and this answers one question per completion).
    pub(super) fn is_prose(&self, pos: usize) -> bool {
        !self.scanned.verbatim.any_contains(pos) && !self.scanned.no_keys.any_contains(pos)
    }

    /// Reads the rest of `text` and returns the whole scan, with its resume points.
    pub(super) fn finish(mut self, text: &str) -> Scanned {
        self.run_to(text, usize::MAX);
        let mut commands: Vec<String> = self.user_commands.into_iter().collect();
        commands.sort_unstable();
        self.scanned.resume.commands = commands;
        self.scanned
    }
}

/// How far apart a scan notes its resume points: a resumed scan reads at most this much more
/// than it must, and a 40 KB paper keeps some forty numbers. The tests note them closer, to
/// try more of them.
const RESUME_EVERY: usize = if cfg!(test) { 64 } else { 1024 };

/// Where a finished LaTeX scan of one text can be taken up in a later version of it (see
/// [`ScanState::resume`]): positions between constructs, ascending, and the citation
/// commands the text defined, sorted.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResumePoints {
    points: Vec<usize>,
    commands: Vec<String>,
}

impl ResumePoints {
    #[cfg(test)]
    pub(super) fn points(&self) -> &[usize] {
        &self.points
    }
}

/// The end of what a construct starting before `point` may have looked at: its arguments are
/// read for at most [`MAX_ARGUMENT`] bytes, each stop at a line break may look at the line
/// after it (is it blank?), and blanks between a command and its arguments span at most two
/// lines. A construct that reads further (an environment up to its `\end`) ends further, so
/// no resume point lies before its end.
fn reach(bytes: &[u8], point: usize) -> usize {
    let arguments = (point + MAX_ARGUMENT + 2).min(bytes.len());
    let line = line_end(bytes, arguments);
    let next = line_end(bytes, line + 1);
    line_end(bytes, next + 1) + 1
}

/// How many bytes `a` and `b` start with in common, compared a block at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= len && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

/// Commands that define a command: `\newcommand{\name}[1]{body}`, `\newcommand\name…`.
/// All end with `ommand`, which `user_cite_commands` searches for (a unit test holds the list
/// to that).
const DEFINING_COMMANDS: &[&str] = &["\\newcommand", "\\renewcommand", "\\providecommand", "\\DeclareRobustCommand"];

/// The commands the text defines to wrap a citation command around their first argument,
/// such as `\newcommand{\citeposs}[1]{\citeauthor{#1}'s (\citeyear{#1})}`: a call
/// `\citeposs{smith2020}` then cites `smith2020`. Only definitions that take arguments and whose
/// body passes `#1` to a citation command count.
pub(super) fn user_cite_commands(text: &str) -> HashSet<String> {
    let bytes = text.as_bytes();
    let mut res = HashSet::new();
    // One vectorised search for the tail every defining command ends with, `ommand`, then a
    // look back for the whole command. The scan runs at every edit: four substring searches
    // were a quarter of it, and a stop at every backslash (a LaTeX text is full of them) still
    // a tenth of a cold pass (issue 11).
    for tail in memchr::memmem::find_iter(bytes, b"ommand") {
        let end = tail + "ommand".len();
        if !DEFINING_COMMANDS.iter().any(|d| bytes[..end].ends_with(d.as_bytes())) {
            continue;
        }
        let mut pos = end;
        if bytes.get(pos) == Some(&b'*') {
            pos += 1;
        }
        // The name, braced or not.
        let braced = bytes.get(pos) == Some(&b'{');
        let name_start = pos + usize::from(braced) + 1;
        if bytes.get(name_start - 1) != Some(&b'\\') {
            continue;
        }
        let name_len = bytes[name_start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if name_len == 0 {
            continue;
        }
        let name = &text[name_start..name_start + name_len];
        pos = name_start + name_len + usize::from(braced);
        // The number of arguments, which must be given.
        if bytes.get(pos) != Some(&b'[') {
            continue;
        }
        pos = skip_past(bytes, pos, b']');
        if bytes.get(pos) == Some(&b'[') {
            pos = skip_past(bytes, pos, b']');
        }
        if bytes.get(pos) != Some(&b'{') {
            continue;
        }
        let body_end = (pos + MAX_ARGUMENT).min(bytes.len());
        let body = &text[pos..text.floor_char_boundary(body_end)];
        let cites_first_argument = body.match_indices('\\').any(|(i, _)| {
            let rest = &body[i + 1..];
            let command_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            cite_kind(&rest[..command_len]).is_some()
                && rest[command_len..]
                    .trim_start_matches(['*', ' '])
                    .split('}')
                    .next()
                    .is_some_and(|a| a.ends_with("#1"))
        });
        if cites_first_argument && cite_kind(name).is_none() {
            res.insert(name.to_owned());
        }
    }
    res
}

/// The position after the first `close` at or after `pos`, or the end of the text.
fn skip_past(bytes: &[u8], pos: usize, close: u8) -> usize {
    bytes[pos..].iter().position(|&b| b == close).map_or(bytes.len(), |i| pos + i + 1)
}

/// A [`ScanState`] reading its text.
struct Scanner<'t, 's> {
    text: &'t str,
    bytes: &'t [u8],
    state: &'s mut ScanState,
}

impl Scanner<'_, '_> {
    /// Reads constructs from where the scan stopped while they start at or before `limit`.
    fn run(&mut self, limit: usize) {
        let mut pos = self.state.pos;
        // Only `%` and `\` start anything: `memchr2` jumps between them (vectorised), where a
        // loop over every byte was a third of the scan that runs at every edit (issue 11).
        while let Some(found) = self.bytes.get(pos..).and_then(|rest| memchr::memchr2(b'%', b'\\', rest)) {
            let at = pos + found;
            if at > limit {
                // Nothing between `pos` and here starts a construct: going on from `at` later
                // reads what going on from `pos` would.
                pos = at;
                break;
            }
            pos = match self.bytes[at] {
                b'%' => self.comment(at),
                _ => self.control_sequence(at),
            };
            // Between two constructs: a point a later version's scan may go on from.
            let points = &mut self.state.scanned.resume.points;
            if pos >= points.last().map_or(RESUME_EVERY, |last| last + RESUME_EVERY) {
                points.push(pos);
            }
        }
        self.state.pos = pos;
    }

    /// A comment runs to the end of the line. Only reached for an unescaped `%`, since `\%`
    /// is consumed as a control symbol.
    fn comment(&mut self, pos: usize) -> usize {
        let end = line_end(self.bytes, pos);
        self.state.scanned.verbatim.push(pos..end);
        end
    }

    fn control_sequence(&mut self, pos: usize) -> usize {
        let name_start = pos + 1;
        let name_len = self.bytes[name_start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
        if name_len == 0 {
            // A control symbol such as `\%` or `\\`: the character after the backslash is
            // consumed whole, whatever its width.
            return name_start + char_at(self.text, name_start).map_or(0, char::len_utf8);
        }
        let after = name_start + name_len;
        let name = &self.text[name_start..after];
        match name {
            "begin" => self.environment(pos, after),
            "verb" | "lstinline" => self.inline_verbatim(pos, after),
            // A URL is the address of a link: a DOI in it is not a citation.
            "url" | "href" => {
                let open = skip_blanks(self.bytes, after);
                if self.bytes.get(open) != Some(&b'{') {
                    return after;
                }
                // A URL holds no braces: the first `}` closes it.
                match self.state.brace_close.find(self.text, open) {
                    Some(close) if close - open <= MAX_ARGUMENT => {
                        self.state.scanned.no_keys.push(open..close + 1);
                        close + 1
                    }
                    _ => after,
                }
            }
            _ => match cite_kind(name) {
                Some(kind) => self.citation(after, kind),
                None if self.state.user_commands.contains(name) => self.citation(after, CiteKind::Single),
                None => after,
            },
        }
    }

    /// `\begin{verbatim}` and friends: everything up to the matching `\end` is verbatim, or
    /// the rest of the text when it is missing, as TeX would read it.
    fn environment(&mut self, pos: usize, after: usize) -> usize {
        let open = skip_blanks(self.bytes, after);
        if self.bytes.get(open) != Some(&b'{') {
            return after;
        }
        let Some(&(name, end_text)) = VERBATIM_ENVIRONMENTS.iter().find(|(name, _)| {
            let close = open + 1 + name.len();
            self.bytes.get(open + 1..close) == Some(name.as_bytes()) && self.bytes.get(close) == Some(&b'}')
        }) else {
            return after;
        };
        let index = match self.state.environment_ends.iter().position(|(n, _)| *n == name) {
            Some(index) => index,
            None => {
                self.state.environment_ends.push((name, Finder::new(end_text)));
                self.state.environment_ends.len() - 1
            }
        };
        let body = open + name.len() + 2;
        let end = self.state.environment_ends[index]
            .1
            .find(self.text, body)
            .map_or(self.bytes.len(), |close| close + end_text.len());
        self.state.scanned.verbatim.push(pos..end);
        end
    }

    /// `\verb|text|`, `\verb*+text+`, `\lstinline{text}`: verbatim up to the delimiter on
    /// the same line.
    fn inline_verbatim(&mut self, pos: usize, after: usize) -> usize {
        let mut open = after;
        if self.bytes.get(open) == Some(&b'*') {
            open += 1;
        }
        let Some(&delimiter) = self.bytes.get(open) else { return after };
        if delimiter.is_ascii_alphabetic() || delimiter.is_ascii_whitespace() || !delimiter.is_ascii() {
            return after;
        }
        let closer = if delimiter == b'{' { b'}' } else { delimiter };
        let line = line_end(self.bytes, open + 1);
        let end = self.bytes[open + 1..line].iter().position(|&b| b == closer).map_or(line, |i| open + 1 + i + 1);
        self.state.scanned.verbatim.push(pos..end);
        end
    }

    /// The arguments of a citation command: optional `*`, for multi-citations up to two
    /// global notes in parentheses, then up to two optional arguments and a key list (repeated
    /// for multi-citations). Returns where scanning goes on: after the last key list read, or
    /// right after the command name if none could be read.
    fn citation(&mut self, after_name: usize, kind: CiteKind) -> usize {
        let bytes = self.bytes;
        let mut pos = after_name;
        if bytes.get(pos) == Some(&b'*') {
            pos += 1;
        }
        let mut resume = after_name;
        if kind == CiteKind::Multi {
            for _ in 0..2 {
                let probe = skip_blanks(bytes, pos);
                match group_end(bytes, probe, b'(', b')', &mut self.state.closers) {
                    Some(end) => pos = end,
                    None => break,
                }
            }
        }
        loop {
            let mut probe = skip_blanks(bytes, pos);
            for _ in 0..2 {
                match group_end(bytes, probe, b'[', b']', &mut self.state.closers) {
                    Some(end) => probe = skip_blanks(bytes, end),
                    None => break,
                }
            }
            if bytes.get(probe) != Some(&b'{') {
                break;
            }
            let Some(end) = self.key_list(probe) else { break };
            pos = end;
            resume = end;
            if kind == CiteKind::Single {
                break;
            }
        }
        resume
    }

    /// A `{key, key}` list starting at the brace `open`: reports each key and returns where
    /// the list ends, or reports nothing when the list is not closed.
    fn key_list(&mut self, open: usize) -> Option<usize> {
        let bytes = self.bytes;
        let limit = (open + MAX_ARGUMENT).min(bytes.len());
        let mut keys: Vec<Range<usize>> = Vec::new();
        let mut comments: Vec<Range<usize>> = Vec::new();
        let mut pos = open + 1;
        while pos < limit {
            match bytes[pos] {
                b'}' => {
                    for key in keys {
                        // `\nocite{*}` asks for the whole bibliography: not a key. `#1` is the
                        // parameter of a command being defined (`\newcommand{\c}[1]{\cite{#1}}`).
                        let key_text = &self.text[key.clone()];
                        if key_text != "*" && !key_text.starts_with('#') {
                            self.state.scanned.push(&self.text[key.clone()], key, Syntax::LatexCite);
                        }
                    }
                    for comment in comments {
                        self.state.scanned.verbatim.push(comment);
                    }
                    return Some(pos + 1);
                }
                b'%' => {
                    let end = line_end(bytes, pos);
                    comments.push(pos..end);
                    pos = end;
                }
                b'\n' if is_blank(&bytes[pos + 1..line_end(bytes, pos + 1)]) => return None,
                b'{' | b'\\' | b'[' | b']' => return None,
                b if b.is_ascii_whitespace() || b == b',' => pos += 1,
                _ => {
                    let len = bytes[pos..limit].iter().take_while(|&&b| is_key_byte(b)).count();
                    keys.push(pos..pos + len);
                    pos += len;
                }
            }
        }
        None
    }
}

/// Skips blanks and at most one line break, as TeX does between a command and its arguments.
fn skip_blanks(bytes: &[u8], mut pos: usize) -> usize {
    let mut breaks = 0;
    while let Some(&b) = bytes.get(pos) {
        match b {
            b' ' | b'\t' | b'\r' => pos += 1,
            b'\n' if breaks == 0 => {
                breaks += 1;
                pos += 1;
            }
            _ => break,
        }
    }
    pos
}

/// The end of a bracketed argument starting at `pos` (`[p.~3]`, `(see)`): the first closing
/// bracket outside braces, within [`MAX_ARGUMENT`] bytes and before a blank line.
fn group_end(bytes: &[u8], pos: usize, open: u8, close: u8, closers: &mut Closers) -> Option<usize> {
    if bytes.get(pos) != Some(&open) {
        return None;
    }
    // Most unclosed arguments have no closing bracket at all before the paragraph ends; the
    // sorted positions answer that without a walk, so `\cite[\cite[…` stays linear.
    let first_close = closers.next_closing(bytes, close, pos + 1)?;
    if closers.next_paragraph_break(bytes, pos + 1).is_some_and(|paragraph_end| paragraph_end < first_close) {
        return None;
    }
    let limit = (pos + MAX_ARGUMENT).min(bytes.len());
    let mut depth = 0usize;
    let mut i = pos + 1;
    while i < limit {
        match bytes[i] {
            b'\\' => i += 1,
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b'\n' if is_blank(&bytes[i + 1..line_end(bytes, i + 1)]) => return None,
            b if b == close && depth == 0 => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Sorted positions of `]`, of `)` and of paragraph breaks (a line break before a blank
/// line), each built the first time a citation command needs it.
#[derive(Debug, Default)]
struct Closers {
    brackets: Option<Positions>,
    parentheses: Option<Positions>,
    paragraph_breaks: Option<Positions>,
}

impl Closers {
    /// The first `close` (`]` or `)`) at or after `from`.
    fn next_closing(&mut self, bytes: &[u8], close: u8, from: usize) -> Option<usize> {
        let positions = if close == b']' { &mut self.brackets } else { &mut self.parentheses };
        positions.get_or_insert_with(|| Positions::of_byte(bytes, 0..bytes.len(), close)).next_from(from)
    }

    fn next_paragraph_break(&mut self, bytes: &[u8], from: usize) -> Option<usize> {
        self.paragraph_breaks
            .get_or_insert_with(|| {
                Positions::from_sorted(
                    memchr::memchr_iter(b'\n', bytes)
                        .filter(|&i| is_blank(&bytes[i + 1..line_end(bytes, i + 1)]))
                        .collect(),
                )
            })
            .next_from(from)
    }
}

/// The start of the group that ends with the bracket at `close`, reading backwards.
fn group_start(bytes: &[u8], close: usize, open: u8) -> Option<usize> {
    let closing = bytes[close];
    let floor = close.saturating_sub(MAX_ARGUMENT);
    let mut depth = 0usize;
    let mut i = close;
    while i > floor {
        i -= 1;
        match bytes[i] {
            b if b == closing => depth += 1,
            b if b == open && depth == 0 => return Some(i),
            b if b == open => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Completion in LaTeX: the cursor is in the key list of a citation command, after its `{`
/// or a `,`, even when the list is not closed yet.
pub(super) fn completion_range(
    text: &str,
    offset: usize,
    is_prose: &dyn Fn(usize) -> bool,
) -> Option<(Range<usize>, Syntax)> {
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0 && is_key_byte(bytes[start - 1]) {
        start -= 1;
    }
    // Back over the keys before this one to the opening brace.
    let mut pos = start;
    let open = loop {
        while pos > 0 && bytes[pos - 1].is_ascii_whitespace() {
            pos -= 1;
        }
        match pos.checked_sub(1).map(|p| bytes[p]) {
            Some(b'{') => break pos - 1,
            Some(b',') => {
                pos -= 1;
                while pos > 0 && is_key_byte(bytes[pos - 1]) {
                    pos -= 1;
                }
            }
            _ => return None,
        }
    };
    // Back over the arguments before the key list: optional arguments, and for a
    // multi-citation the key lists and notes before this one.
    let mut pos = open;
    let mut earlier_key_lists = false;
    loop {
        while pos > 0 && bytes[pos - 1].is_ascii_whitespace() {
            pos -= 1;
        }
        pos = match pos.checked_sub(1).map(|p| bytes[p]) {
            Some(b']') => group_start(bytes, pos - 1, b'[')?,
            Some(b')') => group_start(bytes, pos - 1, b'(')?,
            Some(b'}') => {
                earlier_key_lists = true;
                group_start(bytes, pos - 1, b'{')?
            }
            _ => break,
        };
    }
    if pos > 0 && bytes[pos - 1] == b'*' {
        pos -= 1;
    }
    let name_end = pos;
    while pos > 0 && bytes[pos - 1].is_ascii_alphabetic() {
        pos -= 1;
    }
    let backslash = pos.checked_sub(1)?;
    if bytes[backslash] != b'\\' || is_escaped(bytes, backslash, 0) {
        return None;
    }
    let kind = cite_kind(text.get(pos..name_end)?.trim_end_matches('*'))?;
    if earlier_key_lists && kind != CiteKind::Multi {
        return None;
    }
    if !is_prose(backslash) || in_comment(bytes, backslash) {
        return None;
    }
    let end = offset + bytes[offset..].iter().take_while(|&&b| is_key_byte(b)).count();
    Some((start..end, Syntax::LatexCite))
}

/// True when an unescaped `%` comes before `pos` on its line. The scan marks comments too,
/// but a command being typed may not parse yet, and its line is what matters.
fn in_comment(bytes: &[u8], pos: usize) -> bool {
    let start = line_start(bytes, pos);
    (start..pos).any(|i| bytes[i] == b'%' && !is_escaped(bytes, i, start))
}

#[cfg(test)]
mod tests {
    use super::super::{Dialect, completion_context, scan};

    #[test]
    fn key_bytes_are_what_bibtex_keys_hold() {
        for b in 0..=u8::MAX {
            let stop = b.is_ascii_whitespace() || matches!(b, b',' | b'{' | b'}' | b'%' | b'\\' | b'[' | b']');
            assert_eq!(super::is_key_byte(b), !stop, "byte {b:#04x}");
        }
    }

    /// Renders the citations found in a LaTeX fixture as `key @ start..end`, one per line.
    fn check(fixture: &str) -> String {
        let out: String = scan(Dialect::Latex, fixture)
            .iter()
            .map(|c| {
                let syntax =
                    if c.syntax == super::Syntax::LatexCite { String::new() } else { format!(" {:?}", c.syntax) };
                format!("{} @ {}..{}{syntax}\n", c.key, c.range.start, c.range.end)
            })
            .collect();
        if out.is_empty() { "(none)".to_owned() } else { out }
    }

    fn check_each(cases: &[(&str, &str)]) {
        for (fixture, expect) in cases {
            assert_eq!(check(fixture), *expect, "{fixture:?}");
        }
    }

    #[test]
    fn scan_jumps_between_backslashes_and_comments() {
        // The scanner jumps from one `\\` or `%` to the next: a text that ends on either, a
        // comment holding a citation, and an escaped `\%` before a citation.
        check_each(&[
            (r"\cite{a} 100\% sure \cite{b}", "a @ 6..7\nb @ 26..27\n"),
            ("% \\cite{hidden}\n\\cite{shown} %", "shown @ 22..27\n"),
            ("\\cite{a}\\", "a @ 6..7\n"),
            ("\\", "(none)"),
            ("%", "(none)"),
        ]);
    }

    #[test]
    fn commands_defined_to_cite() {
        // The definition's own `\citeauthor{#1}` is a parameter, not a key; the calls cite.
        let preamble = r"\newcommand{\citeposs}[1]{\citeauthor{#1}'s (\citeyear{#1})}
\providecommand\seealso[2][]{see \citet[#1]{#2}}
\newcommand{\bold}[1]{\textbf{#1}}
";
        insta::assert_snapshot!(check(&format!("{preamble}As \\citeposs{{lee2019}} shows, \\bold{{x}} \\seealso{{kim2020}}.")), @"lee2019 @ 158..165");
        insta::assert_snapshot!(check(r"\def\x#1{\cite{#1}} \renewcommand{\cite}[1]{\citep{#1}} \cite{a}"), @"a @ 62..63");
        // Every defining command, starred or not; a command whose name merely ends like one
        // (`\mynewcommand`) defines nothing here.
        let preamble = r"\DeclareRobustCommand{\citeown}[1]{\cite{#1}}
\renewcommand*{\citeyours}[1]{\citet{#1}}
\mynewcommand{\citetheirs}[1]{\cite{#1}}
";
        insta::assert_snapshot!(check(&format!("{preamble}\\citeown{{a}} \\citeyours{{b}} \\citetheirs{{c}}")), @"
        a @ 138..139
        b @ 152..153
        ");
    }

    #[test]
    fn defining_commands_end_as_searched() {
        for command in super::DEFINING_COMMANDS {
            assert!(command.starts_with('\\') && command.ends_with("ommand"), "{command}");
        }
    }

    #[test]
    fn urls_are_links_not_citations() {
        insta::assert_snapshot!(
            check(r"\url{https://doi.org/10.1000/u} \href{https://doi.org/10.1000/h}{doi:10.1000/shown} 10.1000/prose"),
            @"
        doi:10.1000/shown @ 69..82 BareDoi
        doi:10.1000/prose @ 84..97 BareDoi
        "
        );
    }

    #[test]
    fn commands() {
        insta::assert_snapshot!(check(r"\cite{a} \citep{b} \citet{c} \citeauthor{d} \citeyear{e} \citealp{f} \citealt{g}"), @"
        a @ 6..7
        b @ 16..17
        c @ 26..27
        d @ 41..42
        e @ 54..55
        f @ 66..67
        g @ 78..79
        ");
        insta::assert_snapshot!(check(r"\parencite{a} \textcite{b} \autocite{c} \footcite{d} \smartcite{e} \supercite{f} \fullcite{g}"), @"
        a @ 11..12
        b @ 24..25
        c @ 37..38
        d @ 50..51
        e @ 64..65
        f @ 78..79
        g @ 91..92
        ");
        insta::assert_snapshot!(check(r"\Cite{a} \Textcite{b} \Parencite{c} \Autocite{d} \Citet{e} \Citep{f}"), @"
        a @ 6..7
        b @ 19..20
        c @ 33..34
        d @ 46..47
        e @ 56..57
        f @ 66..67
        ");
        insta::assert_snapshot!(check(r"\section{a} \citation{b} \TEXTCITE{c} \mycite{d}"), @"(none)");
    }

    #[test]
    fn stars_and_optional_arguments() {
        insta::assert_snapshot!(check(r"\citet*{a} \textcite[p.~3]{b} \parencite[see][12--14]{c} \cite [x] {d}"), @"
        a @ 8..9
        b @ 27..28
        c @ 54..55
        d @ 68..69
        ");
        insta::assert_snapshot!(check(r"\cite[{a]b}]{e} \cite[p.~3]"), @"e @ 13..14");
    }

    #[test]
    fn several_keys() {
        insta::assert_snapshot!(check(r"\cite{a,b, c ,  d}"), @"
        a @ 6..7
        b @ 8..9
        c @ 11..12
        d @ 16..17
        ");
        insta::assert_snapshot!(check("\\cite{a,\n  b, % why b\n  c}"), @"
        a @ 6..7
        b @ 11..12
        c @ 24..25
        ");
        insta::assert_snapshot!(check(r"\cite{a,,b,} \cite{}"), @"
        a @ 6..7
        b @ 9..10
        ");
    }

    #[test]
    fn nocite() {
        insta::assert_snapshot!(check(r"\nocite{*} \nocite{a, *}"), @"a @ 19..20");
    }

    #[test]
    fn multi_citations() {
        insta::assert_snapshot!(check(r"\parencites{a}{b} \textcites(see)(ch.~2)[p.~1]{c}[p.~2]{d, e} \cites{f}x{g}"), @"
        a @ 12..13
        b @ 15..16
        c @ 47..48
        d @ 56..57
        e @ 59..60
        f @ 69..70
        ");
    }

    #[test]
    fn comments() {
        insta::assert_snapshot!(check("% \\cite{a}\n\\cite{b} % \\cite{c}\n50\\% \\cite{d} \\\\% \\cite{e}"), @"
        b @ 17..18
        d @ 42..43
        ");
    }

    #[test]
    fn verbatim() {
        insta::assert_snapshot!(check("\\begin{verbatim}\n\\cite{a}\n\\end{verbatim}\n\\cite{b} \\verb|\\cite{c}| \\cite{d}"), @"
        b @ 47..48
        d @ 72..73
        ");
        insta::assert_snapshot!(check("\\begin{lstlisting}\n\\cite{a}"), @"(none)");
    }

    #[test]
    fn unclosed_and_odd_input() {
        insta::assert_snapshot!(check(r"\cite{a \cite{b}"), @"b @ 14..15");
        insta::assert_snapshot!(check("\\cite{a\n\nb}"), @"(none)");
        insta::assert_snapshot!(check("\\cite\n{a} \\cite\n\n{b} \\"), @"a @ 7..8");
        insta::assert_snapshot!(check(r"\cite{Müller2020} \é\cite{x}"), @"
        Müller2020 @ 6..17
        x @ 28..29
        ");
    }

    #[test]
    fn bare_dois() {
        insta::assert_snapshot!(check("doi:10.1000/abc % doi:10.1000/hidden\n\\cite{10.1000/key}"), @"
        doi:10.1000/abc @ 4..15 BareDoi
        10.1000/key @ 43..54
        ");
    }

    /// Renders the completion context at the `<|>` mark of a LaTeX fixture.
    fn check_completion(fixture: &str) -> String {
        let offset = fixture.find("<|>").expect("fixture has a cursor");
        let text = fixture.replace("<|>", "");
        match completion_context(Dialect::Latex, &text, offset) {
            Some(context) => format!("{:?} @ {}..{}", context.prefix, context.range.start, context.range.end),
            None => "(none)".to_owned(),
        }
    }

    #[test]
    fn completion_in_key_lists() {
        insta::assert_snapshot!(check_completion(r"\cite{<|>"), @r#""" @ 6..6"#);
        insta::assert_snapshot!(check_completion(r"\cite{a,<|>"), @r#""" @ 8..8"#);
        insta::assert_snapshot!(check_completion(r"\cite{a, <|>"), @r#""" @ 9..9"#);
        insta::assert_snapshot!(check_completion(r"\textcite[p.~3]{<|>"), @r#""" @ 16..16"#);
        insta::assert_snapshot!(check_completion(r"\parencite[see][p.~3]{sm<|>ith} more"), @r#""smith" @ 22..27"#);
        insta::assert_snapshot!(check_completion(r"\Citet*{a, jo<|>"), @r#""jo" @ 11..13"#);
        insta::assert_snapshot!(check_completion(r"\parencites{a}[p.~2]{<|>}"), @r#""" @ 21..21"#);
    }

    #[test]
    fn no_completion_elsewhere() {
        insta::assert_snapshot!(check_completion(r"\section{<|>"), @"(none)");
        insta::assert_snapshot!(check_completion(r"\cite{a}{<|>"), @"(none)");
        insta::assert_snapshot!(check_completion(r"% \cite{<|>"), @"(none)");
        insta::assert_snapshot!(check_completion(r"\\cite{<|>"), @"(none)");
        insta::assert_snapshot!(check_completion(r"text <|>"), @"(none)");
        insta::assert_snapshot!(check_completion("\\begin{verbatim}\n\\cite{<|>\n\\end{verbatim}"), @"(none)");
    }
}
