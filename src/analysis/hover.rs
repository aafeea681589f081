//! Hover on a citation key or DOI: the formatted reference, identifiers as links, the
//! shortened abstract, keywords, where the record came from and who cites it.
//!
//! An unknown key gets no hover: its diagnostic already speaks, and an empty popup is noise.
//! An ambiguous key lists every work it could mean, with the name that cites each alone.
//!
//! Metadata comes as the sources wrote it: abstracts from Crossref, PubMed or Zotero carry
//! JATS or HTML markup (`<jats:p>`, `<italic>`, `&amp;`), and a field may end with the period
//! the reference line would add. The hover shows plain text and one period, and leaves out
//! what cannot stand alone (a volume with no journal).

use std::fmt::Write;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex};

use super::{Manuscript, one_line};
use crate::corpus::{Corpus, Location, Record, RecordId, RecordKind, Resolution};

/// Turns a corpus location into a Markdown link target (the LSP layer makes `file://` URIs;
/// the CLI has no use for links). `None` when the location cannot be opened.
pub type Linker<'a> = &'a dyn Fn(&Location) -> Option<String>;

/// The hover text and the byte range of the key it describes.
#[derive(Debug, PartialEq, Eq)]
pub struct HoverResult {
    pub range: Range<usize>,
    pub markdown: String,
}

/// Abstracts longer than this are cut at a word boundary.
const ABSTRACT_CHARS: usize = 600;

pub fn hover(corpus: &Corpus, manuscript: &Manuscript, offset: usize, link: Linker) -> Option<HoverResult> {
    let Some(citation) = manuscript.citation_at(offset) else {
        return super::prose_citations::hover(corpus, manuscript, offset, link);
    };
    let markdown = match manuscript.resolve(corpus, &citation.key) {
        Resolution::Unknown => return None,
        Resolution::One(id) => record_markdown(corpus, id, link),
        Resolution::Ambiguous(ids) => {
            let mut res = format!("**Ambiguous key** `{}` names {} works:\n\n", citation.key, ids.len());
            for &id in ids {
                let record = corpus.record(id);
                let name = match corpus.unique_name(id) {
                    Some(name) => format!("`{name}`"),
                    None => format!("*no unique name* ({}; rename one key)", place(corpus, record.anchor(), link)),
                };
                let _ = writeln!(res, "- {name}: {}", escape(&plain_text(&one_line(record))));
            }
            res
        }
    };
    Some(HoverResult { range: citation.range.clone(), markdown })
}

/// Escapes the characters that would turn plain metadata into Markdown markup.
fn escape(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '\\') {
            res.push('\\');
        }
        res.push(ch);
    }
    res
}

/// The text of a field that may hold JATS or HTML markup: block tags (`<p>`, `<jats:title>`,
/// `<br/>`) become spaces, inline tags (`<italic>`, `<sup>`) go, and character references
/// (`&amp;`, `&#8211;`) become their characters. Only known tag names are removed, so
/// `p<0.05 and q>2` in an abstract stays as written.
fn plain_text(text: &str) -> String {
    static TAG: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)</?(?:[a-z]+:)?(p|title|sec|break|br|list|list-item|div|italic|i|em|bold|b|strong|sup|sub|sc|span|underline|u|monospace|inline-formula|ext-link|xref)(?:\s[^<>]*)?/?>",
        )
        .expect("valid regex")
    });
    static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|amp|lt|gt|quot|apos|nbsp);").expect("valid regex")
    });
    if !text.contains(['<', '&']) {
        return text.to_owned();
    }
    let untagged = TAG.replace_all(text, |c: &Captures| {
        let block = ["p", "title", "sec", "break", "br", "list", "list-item", "div"];
        let opening = !c[0].starts_with("</");
        if block.iter().any(|b| c[1].eq_ignore_ascii_case(b)) {
            " "
        } else if opening && c[1].eq_ignore_ascii_case("sup") {
            // `10<sup>3</sup>` must not read as 103.
            "^"
        } else {
            ""
        }
    });
    ENTITY
        .replace_all(&untagged, |c: &Captures| {
            let name = &c[1];
            let decoded = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some(' '),
                _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => name[1..].parse().ok().and_then(char::from_u32),
                },
            };
            decoded.map_or_else(|| c[0].to_owned(), String::from)
        })
        .into_owned()
}

/// Ends a sentence with a period, unless the text already ends one (`Ltd.`, `Why?`).
fn end_sentence(res: &mut String) {
    if !res.trim_end().trim_end_matches('*').ends_with(['.', '?', '!']) {
        res.push('.');
    }
}

/// `path:line` of a corpus location, as a link when it can be opened.
fn place(corpus: &Corpus, at: &Location, link: Linker) -> String {
    let file = corpus.file(at.file);
    let shown = format!("{}:{}", file.path, corpus.line_of(at) + 1);
    match link(at) {
        Some(target) => format!("[{}]({target})", escape(&shown)),
        None => escape(&shown),
    }
}

fn shorten(text: &str, max: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        return flat;
    }
    let cut: String = flat.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut} …")
}

/// The whole hover of one record. Public for the CLI and for completion documentation.
pub fn record_markdown(corpus: &Corpus, id: RecordId, link: Linker) -> String {
    let record = corpus.record(id);
    let mut res = String::new();
    match record.title() {
        Some(title) => {
            let _ = writeln!(res, "**{}**\n", escape(&plain_text(title)));
        }
        None => res.push_str("*(the source shows no title)*\n\n"),
    }
    let reference = reference_line(record);
    if !reference.is_empty() {
        let _ = writeln!(res, "{reference}\n");
    }
    let mut ids = Vec::new();
    if let Some(doi) = record.doi() {
        ids.push(format!("[doi:{}]({})", escape(doi.as_str()), doi.url()));
    }
    if let Some(pmid) = &record.rare().pmid {
        ids.push(format!("PMID [{0}](https://pubmed.ncbi.nlm.nih.gov/{0}/)", pmid.value));
    }
    if let Some(pmcid) = &record.rare().pmcid {
        ids.push(format!("PMCID [{0}](https://pmc.ncbi.nlm.nih.gov/articles/{0}/)", pmcid.value));
    }
    if !ids.is_empty() {
        let _ = writeln!(res, "{}\n", ids.join(" · "));
    }
    if let Some(text) = corpus.abstract_text(record) {
        let _ = writeln!(res, "> {}\n", escape(&shorten(&plain_text(&text), ABSTRACT_CHARS)));
    }
    if !record.keywords.is_empty() {
        let words: Vec<String> = record.keywords.iter().map(|k| escape(&k.value)).collect();
        let _ = writeln!(res, "*Keywords:* {}\n", words.join(", "));
    }
    res.push_str("---\n\n");
    let sources: Vec<String> = record.anchors.iter().map(|at| place(corpus, at, link)).collect();
    match record.kind {
        RecordKind::Document => {
            let _ = write!(res, "Source: {}", sources.join(", "));
        }
        RecordKind::Cited => {
            let _ = write!(res, "Known only from a reference list: {}", sources.join(", "));
        }
    }
    match record.rare().cited_by.len() {
        0 => res.push('\n'),
        1 => res.push_str(" · cited by 1 corpus document\n"),
        n => {
            let _ = writeln!(res, " · cited by {n} corpus documents");
        }
    }
    res
}

/// `Ikhile, Deborah et al. (2023). *Health Expect* 26(6):2514-2524.`, or empty when the record
/// has no authors, year, journal or publisher (a lone "(n.d.)." says nothing). Volume, issue
/// and pages are shown only after a journal: alone, "4." reads as an artefact.
pub fn reference_line(record: &Record) -> String {
    let container = record.container().map(plain_text);
    if record.authors.is_empty() && record.year().is_none() && container.is_none() && record.extra().publisher.is_none()
    {
        return String::new();
    }
    let mut res = String::new();
    let names: Vec<String> = record
        .authors
        .iter()
        .take(3)
        .map(|a| {
            if a.value.given().is_empty() {
                a.value.family().to_string()
            } else {
                format!("{}, {}", a.value.family(), a.value.given())
            }
        })
        .collect();
    if !names.is_empty() {
        res.push_str(&escape(&names.join("; ")));
        if record.authors.len() > 3 || record.et_al {
            res.push_str(" et al.");
        }
        res.push(' ');
    }
    match record.year() {
        Some(year) => res.push_str(&format!("({year}).")),
        None => res.push_str("(n.d.)."),
    }
    if let Some(container) = &container {
        let _ = write!(res, " *{}*", escape(container));
        match (&record.volume, &record.issue) {
            (Some(v), Some(i)) => {
                let _ = write!(res, " {}({})", escape(&v.value), escape(&i.value));
            }
            (Some(v), None) => {
                let _ = write!(res, " {}", escape(&v.value));
            }
            _ => {}
        }
        if let Some(pages) = &record.pages {
            let sep = if record.volume.is_some() { ":" } else { " pp. " };
            let _ = write!(res, "{sep}{}", escape(&pages.value));
        }
        end_sentence(&mut res);
    }
    if let Some(publisher) = &record.extra().publisher {
        let _ = write!(res, " {}", escape(&publisher.value));
    }
    end_sentence(&mut res);
    res
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let actual =
            hover(&f.corpus, &f.manuscript, f.cursor, &|at| Some(format!("file:///{}#L{}", at.file.0, at.range.start)))
                .map(|h| format!("{}\n{}", &f.manuscript.text[h.range.clone()], h.markdown))
                .unwrap_or_else(|| "(no hover)".to_owned());
        assert_eq!(actual.trim_end(), expect.trim_end(), "\n--- actual ---\n{actual}");
    }

    #[test]
    fn nothing_on_unknown_keys_or_prose() {
        check("//- /review.md\nSee [@nobody<|>2020].\n", "(no hover)");
        check("//- /review.md\nPlain <|>prose.\n", "(no hover)");
    }

    #[test]
    fn cited_work_says_where_it_is_known_from() {
        let f = Fixture::parse("//- /review.md\nSee [@oliver<|>2019dark].\n");
        let found = hover(&f.corpus, &f.manuscript, f.cursor, &|_| None).unwrap();
        assert!(
            found.markdown.contains("Oliver, K.; Kothari, A.; Mays, N. (2019). *Health Res Policy Syst* 17(1):33."),
            "{}",
            found.markdown
        );
        assert!(found.markdown.contains("Known only from a reference list: seeds/001\\_6e23940b4f8baf0b.txt:54, seeds/003\\_0499f4ac7e19fbdd.txt:68 · cited by 2 corpus documents"), "{}", found.markdown);
    }

    #[test]
    fn seed_record_on_a_pandoc_key() {
        check(
            "//- /review.md\nAs shown [@ikhile<|>2023virtuous], sharing matters.\n",
            "ikhile2023virtuous
**A virtuous cycle of co-production: Reflections from a community priority-setting exercise**

Ikhile, Deborah et al. (2023). *Health Expect* 26(6):2514-2524.

[doi:10.1111/hex.13851](https://doi.org/10.1111/hex.13851)

> Introduction: Co-production is gaining increasing recognition as a good way of facilitating collaboration among different stakeholders, including members of the public. However, it remains an ambiguous concept as there is no definitive or universal model of co-production or clarity on what constitutes a good co-production approach. This paper draws on the reflections of the academic researchers, practitioners and public advisors involved in co-producing a priority-setting exercise. The exercise was conducted by the Primary and Community Health Services (PCHS) Theme of the National Institute …

*Keywords:* co-production, shared ownership, shared power, shared responsibilities, shared understanding, shared value, virtuous cycle

---

Source: [seeds/003\\_0499f4ac7e19fbdd.txt:20](file:///3#L589)",
        );
    }

    #[test]
    fn one_period_and_no_lone_fields() {
        check(
            "//- /refs.bib\n@book{doe2021, author={Doe, Jane}, title={Why cite?}, year={2021}}\n//- /review.md\n[@doe2021<|>]\n",
            "doe2021\n**Why cite?**\n\nDoe, Jane (2021).\n\n---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
        check(
            "//- /refs.bib\n@book{roe2020, author={Roe, Rik}, title={Short.}, year={2020}, publisher={Acme Ltd.}}\n\
             //- /review.md\n[@roe2020<|>]\n",
            "roe2020\n**Short.**\n\nRoe, Rik (2020). Acme Ltd.\n\n---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
        check(
            "//- /refs.bib\n@article{poe, author={Poe, Pat}, title={Volume only}, volume={4}}\n//- /review.md\n[@poe<|>]\n",
            "poe\n**Volume only**\n\nPoe, Pat (n.d.).\n\n---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
        check(
            "//- /refs.bib\n@article{zoe, author={Zoe, Z}, title={T}, journal={J. Tests.}, year={2019}, volume={4}, pages={1--2}}\n\
             //- /review.md\n[@zoe<|>]\n",
            "zoe\n**T**\n\nZoe, Z (2019). *J. Tests.* 4:1-2.\n\n---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
        check(
            "//- /refs.bib\n@article{moe, title={Nothing else}}\n//- /review.md\n[@moe<|>]\n",
            "moe\n**Nothing else**\n\n---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
    }

    #[test]
    fn markup_in_abstracts_is_text() {
        check(
            "//- /refs.bib\n@article{lee2022, author={Lee, Ann}, title={Growth}, year={2022},\n  \
             abstract={<jats:title>Background</jats:title><jats:p>Cells &amp; <italic>E. coli</italic> grew 10<sup>3</sup>-fold (p<0.05; CO<sub>2</sub> &#8211; high).</jats:p>}}\n\
             //- /review.md\n[@lee2022<|>]\n",
            "lee2022\n**Growth**\n\nLee, Ann (2022).\n\n\
             > Background Cells & E. coli grew 10^3-fold (p\\<0.05; CO2 – high).\n\n\
             ---\n\nSource: [refs.bib:1](file:///0#L0)",
        );
    }

    #[test]
    fn ambiguous_key_lists_unique_names() {
        check(
            "//- /a.bib\n@article{smith2020, author={Smith, J}, title={Effects of testing}, year={2020}, doi={10.1000/a}}\n\
             //- /b.bib\n@article{smith2020, author={Smith, J}, title={Effects of tests}, year={2020}}\n\
             //- /review.md\nSee [@smith2020<|>].\n",
            "smith2020\n**Ambiguous key** `smith2020` names 2 works:\n\n\
             - `doi:10.1000/a`: Smith (2020) Effects of testing\n\
             - *no unique name* ([b.bib:1](file:///1#L0); rename one key): Smith (2020) Effects of tests",
        );
    }
}
