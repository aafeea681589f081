//! RIS bibliographies (`.ris`, as Zotero, EndNote, Mendeley and publishers' "download
//! citation" links write them) read into records, one record per `TY` … `ER` block.
//!
//! RIS is a line format: `TI  - Title`, a two-character tag, two spaces, a hyphen, a space and
//! the value. Exporters bend it (one space instead of two, a missing space after the hyphen,
//! CRLF line ends, a byte-order mark, long abstracts wrapped onto untagged lines, a last record
//! without `ER`), so lines are matched loosely and an untagged line continues the value above it.
//! The format is small enough that a hand-written reader is simpler than any dependency.
//!
//! Tags and what they become (tags not listed are skipped):
//!
//! | tag | field |
//! | --- | --- |
//! | `TY` | work type; starts a record |
//! | `ID`, else `AN` | given key (EndNote's record number, an accession number) |
//! | `TI`, `T1` (`BT` for a book) | title |
//! | `AU`, `A1` (else `A2`, `ED`) | authors, `Family, Given` |
//! | `PY`, `Y1`, `DA` | year |
//! | `JF`, `T2`, `JO`, `BT` | container title; `JO` is the abbreviation when a full title is also given |
//! | `J2`, `JA`, `J1` | container short title |
//! | `VL`, `IS` | volume, issue |
//! | `SP`, `EP` | pages (`SP` may hold the whole range) |
//! | `DO` | DOI |
//! | `SN` | ISSNs (ISBNs in the same tag are skipped) |
//! | `PB`, `AB`/`N2`, `KW` | publisher, abstract, keywords (one per line) |
//! | `C2` | PMCID when it is one (EndNote writes PubMed Central IDs there) |
//! | `AN` | PMID as well, when numeric and the record comes from PubMed (`DB`/`DP`) |
//! | `N1`, `M1`, `C2` | `PMID: …` and `PMCID: …` notes, as Zotero writes its Extra field |
//! | `UR` | makes an untyped web item a web page |

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::names::{self, FieldSink, range32};
use super::problem::{Problem, Severity};
use super::record::{FileId, Record, RecordKind, WorkType};

/// One tagged line: the tag and the value with its byte range (continuation lines extend it).
#[derive(Debug)]
struct Tagged {
    tag: String,
    value: String,
    range: Range<usize>,
}

/// One `TY` … `ER` block.
#[derive(Debug)]
struct RisRecord {
    range: Range<usize>,
    lines: Vec<Tagged>,
    /// Why the record has no `ER` line, if it has none.
    unclosed: Option<&'static str>,
}

/// Reads every record of a RIS file.
pub fn read(file: FileId, text: &str) -> (Vec<Record>, Vec<Problem>) {
    let mut problems = Vec::new();
    let blocks = split(text, &mut problems);
    let mut sink = FieldSink { file, problems: &mut problems };
    let mut records = Vec::with_capacity(blocks.len());
    // A record that holds nothing but its `TY` line is no work to cite (it would get a key made
    // of nothing), and 1 MB of them was 93,000 records and 190,000 problems (issue 10): they
    // are skipped and counted in one problem.
    let mut empty: Option<(Range<usize>, usize)> = None;
    for block in &blocks {
        if block.lines.iter().skip(1).all(|l| l.value.is_empty()) {
            let first = empty.get_or_insert((block.lines[0].range.clone(), 0));
            first.1 += 1;
            continue;
        }
        if let Some(message) = block.unclosed {
            sink.problems.push(
                Problem::new(Severity::Warning, "ris-missing-er", message)
                    .at(range32(block.range.start..block.range.start + 2)),
            );
        }
        let record = to_record(block, &mut sink);
        let missing = names::missing_fields(&record);
        if !missing.is_empty() {
            let label = record.given_key.as_deref().or(record.title()).unwrap_or("without title");
            let label: String = label.chars().take(60).collect();
            sink.problems.push(
                Problem::new(
                    Severity::Hint,
                    "ris-missing-field",
                    format!("record `{label}` has no {}", missing.join(", ")),
                )
                .at(range32(block.lines.first().map_or(block.range.clone(), |l| l.range.clone()))),
            );
        }
        records.push(record);
    }
    if let Some((range, count)) = empty {
        let message = match count {
            1 => "a record holds nothing but its `TY` line; it was skipped".to_owned(),
            _ => format!("{count} records hold nothing but their `TY` line; they were skipped"),
        };
        sink.problems.push(Problem::new(Severity::Warning, "ris-empty-record", message).at(range32(range)));
    }
    names::sort_problems(&mut problems);
    (records, problems)
}

/// Splits the file into records of tagged lines.
fn split(text: &str, problems: &mut Vec<Problem>) -> Vec<RisRecord> {
    // `TY  - JOUR`, tolerating one or more spaces before the hyphen and none after it.
    static LINE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^([A-Z][A-Z0-9]) {1,2}-(?: |$)").expect("valid regex"));
    let mut records = Vec::new();
    let mut current: Option<RisRecord> = None;
    let mut stray: Option<Range<usize>> = None;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        let mut line = raw_line.trim_end_matches(['\n', '\r']);
        let mut start = line_start;
        if line_start == 0 && line.starts_with('\u{feff}') {
            line = &line['\u{feff}'.len_utf8()..];
            start += '\u{feff}'.len_utf8();
        }
        let Some(caps) = LINE.captures(line) else {
            // An untagged line continues the value above it (wrapped abstracts); outside a
            // record it is noise between records.
            if let Some(record) = current.as_mut()
                && let Some(last) = record.lines.last_mut()
                && !line.trim().is_empty()
            {
                last.value.push(' ');
                last.value.push_str(line.trim());
                last.range.end = start + line.trim_end().len();
                record.range.end = last.range.end;
            }
            continue;
        };
        let tag = caps[1].to_owned();
        let value_start = caps.get(0).map_or(0, |m| m.end());
        let value = line[value_start..].trim();
        let value_range = if value.is_empty() {
            start..start + line.len()
        } else {
            let lead = line[value_start..].len() - line[value_start..].trim_start().len();
            start + value_start + lead..start + value_start + lead + value.len()
        };
        match tag.as_str() {
            "TY" => {
                if let Some(mut open) = current.take() {
                    open.unclosed = Some("record has no `ER` line before the next `TY`; it ends there");
                    records.push(open);
                }
                current = Some(RisRecord {
                    range: start..start + line.len(),
                    lines: vec![Tagged { tag, value: value.to_owned(), range: value_range }],
                    unclosed: None,
                });
            }
            "ER" => match current.take() {
                Some(mut record) => {
                    record.range.end = start + line.len();
                    records.push(record);
                }
                None => stray = Some(stray.map_or(start..start + 2, |r| r.start..start + 2)),
            },
            _ => match current.as_mut() {
                Some(record) => {
                    record.range.end = start + line.len();
                    record.lines.push(Tagged { tag, value: value.to_owned(), range: value_range });
                }
                None => stray = Some(stray.map_or(start..start + 2, |r| r.start..start + 2)),
            },
        }
    }
    if let Some(mut open) = current.take() {
        open.unclosed = Some("the last record has no `ER` line; it was read to the end of the file");
        records.push(open);
    }
    if let Some(range) = stray {
        problems.push(
            Problem::new(Severity::Warning, "ris-syntax", "tagged lines outside any `TY` … `ER` record were skipped")
                .at(range32(range)),
        );
    }
    records
}

fn work_type(ty: &str, has_url: bool) -> WorkType {
    match ty {
        "JOUR" | "JFULL" | "EJOUR" | "ABST" | "INPR" => WorkType::ArticleJournal,
        "BOOK" | "EBOOK" | "EDBOOK" | "CTLG" | "ENCYC" => WorkType::Book,
        "CHAP" | "ECHAP" | "DICT" => WorkType::Chapter,
        "CONF" | "CPAPER" => WorkType::PaperConference,
        "RPRT" | "GOVDOC" | "STAND" => WorkType::Report,
        "THES" => WorkType::Thesis,
        "ELEC" | "WEB" | "BLOG" | "ICOMM" => WorkType::Webpage,
        "GEN" if has_url => WorkType::Webpage,
        "DATA" | "DBASE" | "AGGR" => WorkType::Dataset,
        "UNPB" | "MANSCPT" | "UNPD" => WorkType::Manuscript,
        _ => WorkType::Article,
    }
}

impl RisRecord {
    fn all<'a>(&'a self, tags: &'a [&str]) -> impl Iterator<Item = &'a Tagged> + 'a {
        self.lines.iter().filter(move |l| tags.contains(&l.tag.as_str()) && !l.value.is_empty())
    }

    /// The first non-empty value among `tags`, in the order of `tags`.
    fn first(&self, tags: &[&str]) -> Option<&Tagged> {
        tags.iter().find_map(|tag| self.lines.iter().find(|l| l.tag == *tag && !l.value.is_empty()))
    }
}

fn at(line: &Tagged) -> Range<u32> {
    range32(line.range.clone())
}

fn to_record(ris: &RisRecord, sink: &mut FieldSink<'_>) -> Record {
    let ty = ris.first(&["TY"]).map(|l| l.value.to_ascii_uppercase()).unwrap_or_default();
    let work_type = work_type(&ty, ris.first(&["UR"]).is_some());
    let mut record = Record::new(RecordKind::Document, work_type, sink.at(range32(ris.range.clone())));
    record.given_key = ris.first(&["ID", "AN"]).map(|l| l.value.as_str().into());

    let title_tags: &[&str] = if matches!(work_type, WorkType::Book) { &["TI", "T1", "BT"] } else { &["TI", "T1"] };
    if let Some(line) = ris.first(title_tags) {
        record.title = sink.text(&line.value, at(line));
    }
    let authors: Vec<&Tagged> = ris.all(&["AU", "A1"]).collect();
    let authors = if authors.is_empty() { ris.all(&["A2", "ED"]).collect() } else { authors };
    for line in authors {
        let value = line.value.trim();
        if value.eq_ignore_ascii_case("et al.")
            || value.eq_ignore_ascii_case("et al")
            || value.eq_ignore_ascii_case("others")
        {
            record.et_al = true;
        } else if let Some(person) = names::person_from_inverted(value) {
            record.authors.push(sink.field(person, at(line)));
        }
    }
    if let Some(line) = ris.first(&["PY", "Y1", "DA"]) {
        record.year = sink.year(&line.value, at(line));
    }

    let full = ris
        .first(&["JF", "T2"])
        .or_else(|| (!matches!(work_type, WorkType::Book)).then(|| ris.first(&["BT"])).flatten());
    let container = full.or_else(|| ris.first(&["JO"]));
    if let Some(line) = container {
        record.container_title = sink.text(&line.value, at(line));
    }
    // `JO` is the standard abbreviation in the RIS specification but the only journal name in
    // many exports; it is the short title only when a full title is there too.
    let short = ris.first(&["J2", "JA", "J1"]).or_else(|| full.and_then(|_| ris.first(&["JO"])));
    if let Some(line) = short {
        record.extra_mut().container_short = sink.text(&line.value, at(line));
    }
    if let Some(line) = ris.first(&["VL"]) {
        record.volume = sink.text(&line.value, at(line));
    }
    if let Some(line) = ris.first(&["IS"]) {
        record.issue = sink.text(&line.value, at(line));
    }
    match (ris.first(&["SP"]), ris.first(&["EP"])) {
        (Some(sp), Some(ep)) if !sp.value.contains(['-', '\u{2013}']) => {
            let range = sp.range.start.min(ep.range.start)..sp.range.end.max(ep.range.end);
            record.pages = sink.pages(&format!("{}-{}", sp.value, ep.value), range32(range));
        }
        (Some(sp), _) => record.pages = sink.pages(&sp.value, at(sp)),
        (None, Some(ep)) => record.pages = sink.pages(&ep.value, at(ep)),
        (None, None) => {}
    }
    if let Some(line) = ris.first(&["DO"]) {
        sink.doi(&mut record, &line.value, at(line));
    }
    for line in ris.all(&["SN"]) {
        sink.issns(&mut record, &line.value, at(line), false);
    }
    if let Some(line) = ris.first(&["PB"]) {
        record.extra_mut().publisher = sink.text(&line.value, at(line));
    }
    if let Some(line) = ris.first(&["AB", "N2"]) {
        record.abstract_text = sink.text(&line.value, at(line));
    }
    for line in ris.all(&["KW"]) {
        sink.keywords(&mut record, names::split_keywords(&line.value, &[';']).map(str::to_owned), at(line));
    }
    read_pubmed_ids(ris, &mut record, sink);
    record
}

/// PubMed identifiers have no tag of their own in RIS. EndNote writes the PMCID in `C2` and,
/// for records from PubMed, the PMID as the accession number `AN`; Zotero writes notes such as
/// `PMID: 31234567` and `PMCID: PMC6543210` from its Extra field.
fn read_pubmed_ids(ris: &RisRecord, record: &mut Record, sink: &mut FieldSink<'_>) {
    static NOTE_ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b(PMID|PMCID)\s*:\s*(PMC[0-9]+|[0-9]+)").expect("valid regex"));
    for line in ris.all(&["N1", "M1", "C2", "C1", "ST", "N2"]) {
        for caps in NOTE_ID.captures_iter(&line.value) {
            if caps[1].eq_ignore_ascii_case("pmid") && record.rare().pmid.is_none() {
                sink.pmid(record, &caps[2], at(line));
            } else if caps[1].eq_ignore_ascii_case("pmcid") && record.rare().pmcid.is_none() {
                sink.pmcid(record, &caps[2], at(line));
            }
        }
    }
    if record.rare().pmcid.is_none()
        && let Some(line) = ris.first(&["C2"])
        && line.value.trim().to_ascii_uppercase().starts_with("PMC")
        && names::pmcid(&line.value).is_some()
    {
        sink.pmcid(record, &line.value, at(line));
    }
    if record.rare().pmid.is_none() {
        let from_pubmed = ris.all(&["DB", "DP"]).any(|l| l.value.to_ascii_lowercase().contains("pubmed"));
        if from_pubmed
            && let Some(line) = ris.first(&["AN"])
            && names::pmid(&line.value).is_some()
        {
            sink.pmid(record, &line.value, at(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::names::render;
    use proptest::prelude::*;

    /// Reads `input` and renders its records and problems, one line each.
    fn check(input: &str) -> String {
        let (records, problems) = read(FileId(0), input);
        render(input, &records, &problems)
    }

    #[test]
    fn zotero_export() {
        insta::assert_snapshot!(check(include_str!("../../tests/data/bib/zotero.ris")), @"
        - [L1-27] | article-journal | Smith, Jane A.; Öztürk, Ali; van der Berg, Pieter | 2020 | The effect of exercise on depression: A systematic review and meta-analysis | Journal of Affective Disorders (J Affect Disord) | 270:101-110 | 10.1016/j.jad.2020.03.018
            pmid 32250000 | pmcid PMC7100000 | issn 0165-0327 | keywords depression; exercise; Diabetes Mellitus, Type 2 | abstract Background: Exercise is often recommende…
        - [L29-43] | chapter | García-López, María; O'Neil, Patrick | 2019 | Qualitative methods in health research | The SAGE handbook of qualitative research in health | -:45-67 | -
            publisher SAGE Publications
        - [L45-52] | webpage | World Health Organization | 2022 | Physical activity | - | - | -
        - [L54-62] | report | NHS England | 2021 | Social prescribing: summary guide | - | - | -
            publisher NHS England
        ");
    }

    #[test]
    fn endnote_and_pubmed_quirks() {
        insta::assert_snapshot!(check("\
TY  - JOUR
ID  - 1234
T1  - Walking and mood
A1  - Doe, J.
A1  - et al.
Y1  - 2019/03/01
JO  - J Affect Disord
JF  - Journal of Affective Disorders
SP  - 100-9
AB  - A first line of the abstract
that wraps onto a second line.
C2  - PMC6543210
AN  - 30800000
DB  - PubMed
ZZ  - an unknown tag
ER  -
TY - BOOK
BT - A Book Title Only
ED - Editor, Ed
PY - 2001
SN - 978-0-19-960000-0
ER -
"), @"
        1234 [L1-16] | article-journal | Doe, J. et al. | 2019 | Walking and mood | Journal of Affective Disorders (J Affect Disord) | -:100-9 | -
            pmid 30800000 | pmcid PMC6543210 | abstract A first line of the abstract that wraps …
        - [L17-22] | book | Editor, Ed | 2001 | A Book Title Only | - | - | -
        ");
    }

    #[test]
    fn missing_er_and_stray_lines() {
        insta::assert_snapshot!(check("\
AU  - Stray, Line
TY  - JOUR
TI  - First, never closed
PY  - 2020
TY  - JOUR
TI  - Second, closed at the end of the file
DO  - not a doi
"), @"
        - [L2-4] | article-journal | - | 2020 | First, never closed | - | - | -
        - [L5-7] | article-journal | - | - | Second, closed at the end of the file | - | - | -
        L1 Warning ris-syntax: tagged lines outside any `TY` … `ER` record were skipped
        L2 Warning ris-missing-er: record has no `ER` line before the next `TY`; it ends there
        L2 Hint ris-missing-field: record `First, never closed` has no author
        L5 Warning ris-missing-er: the last record has no `ER` line; it was read to the end of the file
        L5 Hint ris-missing-field: record `Second, closed at the end of the file` has no author, year
        L7 Warning invalid-doi: `not a doi` is not a DOI; the DOI was left out
        ");
        insta::assert_snapshot!(check(""), @"");
        insta::assert_snapshot!(check("just some text\nwith no tags\n"), @"");
    }

    /// Issue 10: records of nothing but a type line are skipped and counted once.
    #[test]
    fn issue_10_empty_records_are_skipped() {
        insta::assert_snapshot!(check("\
TY  - JOUR
TY  - JOUR
ER  -
TY  - JOUR
TI  - A title
TY  - BOOK
AU  -
"), @"
        - [L4-5] | article-journal | - | - | A title | - | - | -
        L1 Warning ris-empty-record: 3 records hold nothing but their `TY` line; they were skipped
        L4 Warning ris-missing-er: record has no `ER` line before the next `TY`; it ends there
        L4 Hint ris-missing-field: record `A title` has no author, year
        ");
        insta::assert_snapshot!(check("TY  - JOUR\nER  -\n"), @"L1 Warning ris-empty-record: a record holds nothing but its `TY` line; it was skipped");
    }

    #[test]
    fn ranges_point_into_the_file() {
        let text = include_str!("../../tests/data/bib/zotero.ris");
        let (records, _) = read(FileId(4), text);
        let slice = |r: &Range<u32>| &text[r.start as usize..r.end as usize];
        let anchor = slice(&records[0].anchor().range);
        assert!(anchor.starts_with("TY  - JOUR\r\n") && anchor.ends_with("ER  - "), "{anchor:?}");
        assert_eq!(slice(&records[0].doi.as_ref().unwrap().at.range), "10.1016/j.jad.2020.03.018");
        assert_eq!(slice(&records[0].pages.as_ref().unwrap().at.range), "101\r\nEP  - 110");
        assert_eq!(slice(&records[0].authors[1].at.range), "Öztürk, Ali");
    }

    proptest! {
        #[test]
        fn never_panics(text in "((TY|ER|AU|SP|EP|KW|N1|XX)  ?- ?[a-zA-Z0-9 ,:/\\-]{0,10}\r?\n|[a-z\u{feff} ]{0,5}\n){0,12}") {
            let _ = read(FileId(0), &text);
        }
    }
}
