//! Diagnostics of a manuscript: citations the corpus cannot answer for, and DOIs that are
//! not DOIs. Each has a stable code (shown by editors and by `refls check`):
//!
//! | code | severity | when |
//! |---|---|---|
//! | `unknown-key` | error | no record answers to the key |
//! | `doi-not-in-corpus` | warning | a valid DOI (bare or `@doi:`) that no record has |
//! | `malformed-doi` | error | `doi:` or a doi.org link followed by something that is not a DOI |
//! | `ambiguous-key` | warning | the key names several works (see `corpus::key`) |
//! | `cited-only` | hint | the work is known only from a reference list, not held in the corpus |
//! | `same-work` | warning | one work cited under two names (two keys, or a key and `@doi:`) |
//!
//! Where there are close candidates, "did you mean" goes in the related information.

use std::collections::HashMap;
use std::ops::Range;

use super::{Manuscript, did_you_mean, one_line};
use crate::corpus::doi::find_malformed_dois;
use crate::corpus::{Corpus, Location, RecordId, RecordKind, Resolution, Severity};
use crate::manuscript::Syntax;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub range: Range<usize>,
    pub severity: Severity,
    pub code: &'static str,
    pub message: String,
    pub related: Vec<Related>,
}

/// A corpus location that explains a diagnostic ("did you mean", "cited by").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

fn related(corpus: &Corpus, ids: &[RecordId], verb: &str) -> Vec<Related> {
    ids.iter()
        .map(|&id| Related {
            location: corpus.record(id).anchor().clone(),
            message: format!("{verb} `{}`: {}", corpus.key(id), one_line(corpus.record(id))),
        })
        .collect()
}

pub fn diagnostics(corpus: &Corpus, manuscript: &Manuscript) -> Vec<Diagnostic> {
    let mut res = Vec::new();
    // Unknown keys repeat in a manuscript; their suggestions are computed once.
    let mut suggestions: HashMap<&str, Vec<RecordId>> = HashMap::new();
    // The first name each work was cited by, to catch a second name for the same work.
    let mut first_name: HashMap<RecordId, &str> = HashMap::new();
    for citation in manuscript.citations.iter() {
        let key = citation.key.as_str();
        // `@*` is pandoc's "every entry" (in `nocite`), not a key.
        if key == "*" {
            continue;
        }
        match corpus.index.resolve(key) {
            Resolution::One(id) => {
                let first = *first_name.entry(id).or_insert(key);
                if first != key && citation.syntax != Syntax::BareDoi {
                    res.push(Diagnostic {
                        range: citation.range.clone(),
                        severity: Severity::Warning,
                        code: "same-work",
                        message: format!("`{key}` and `{first}` name the same work; cite it one way"),
                        related: related(corpus, &[id], "both name"),
                    });
                }
                let record = corpus.record(id);
                if record.kind == RecordKind::Cited {
                    // A much-cited work has hundreds of citing documents; three are named.
                    let shown = &record.cited_by[..record.cited_by.len().min(3)];
                    let mut citing: Vec<String> = shown.iter().map(|&c| corpus.key(c).to_owned()).collect();
                    if record.cited_by.len() > shown.len() {
                        citing.push(format!("{} more", record.cited_by.len() - shown.len()));
                    }
                    res.push(Diagnostic {
                        range: citation.range.clone(),
                        severity: Severity::Hint,
                        code: "cited-only",
                        message: format!(
                            "`{key}` is known only from the reference list of {}; the corpus does not hold the work itself",
                            citing.join(", ")
                        ),
                        // The citing documents are named by key only: the message is about
                        // them being there, and formatting each costs time on every edit.
                        related: shown
                            .iter()
                            .map(|&c| Related {
                                location: corpus.record(c).anchor().clone(),
                                message: format!("cited by `{}`", corpus.key(c)),
                            })
                            .collect(),
                    });
                }
            }
            Resolution::Ambiguous(ids) => {
                let names: Vec<String> = ids
                    .iter()
                    .map(|&id| match corpus.unique_name(id) {
                        Some(name) => format!("`{name}`"),
                        None => "a work with no unique key (rename one)".to_owned(),
                    })
                    .collect();
                res.push(Diagnostic {
                    range: citation.range.clone(),
                    severity: Severity::Warning,
                    code: "ambiguous-key",
                    message: format!("`{key}` names {} works; cite one of {}", ids.len(), names.join(", ")),
                    related: related(corpus, ids, "could be"),
                });
            }
            Resolution::Unknown => {
                let is_doi = key.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("doi:"));
                if is_doi || citation.syntax == Syntax::BareDoi {
                    res.push(Diagnostic {
                        range: citation.range.clone(),
                        severity: Severity::Warning,
                        code: "doi-not-in-corpus",
                        message: format!("DOI {} is not in the corpus", &key[4.min(key.len())..]),
                        related: Vec::new(),
                    });
                    continue;
                }
                // Typst writes references to the document's own labels (`@intro` for
                // `= Introduction <intro>`) the same way as citations.
                if citation.syntax == Syntax::Typst && manuscript.text.contains(&format!("<{key}>")) {
                    continue;
                }
                let close = suggestions.entry(key).or_insert_with(|| did_you_mean(corpus, key, 3));
                let hint = match close.first() {
                    Some(&best) => format!("; did you mean `{}`?", corpus.key(best)),
                    None => String::new(),
                };
                res.push(Diagnostic {
                    range: citation.range.clone(),
                    severity: Severity::Error,
                    code: "unknown-key",
                    message: format!("unknown citation key `{key}`{hint}"),
                    related: related(corpus, close, "did you mean"),
                });
            }
        }
    }
    for bad in find_malformed_dois(&manuscript.text) {
        res.push(Diagnostic {
            range: bad.range,
            severity: Severity::Error,
            code: "malformed-doi",
            message: format!("malformed DOI `{}`: {}", bad.text, bad.reason),
            related: Vec::new(),
        });
    }
    res.sort_by_key(|d| (d.range.start, d.range.end));
    res
}

#[cfg(test)]
mod tests {
    use super::super::fixture::Fixture;
    use super::*;

    /// Renders each diagnostic under the line it belongs to, with carets under its range.
    fn check(fixture: &str, expect: &str) {
        let f = Fixture::parse(fixture);
        let text = &f.manuscript.text;
        let mut out = String::new();
        for d in diagnostics(&f.corpus, &f.manuscript) {
            let line_start = text[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[line_start..].find('\n').map_or(text.len(), |i| line_start + i);
            out.push_str(&text[line_start..line_end]);
            out.push('\n');
            let pad = text[line_start..d.range.start].chars().count();
            let width = text[d.range.clone()].chars().count().max(1);
            out.push_str(&format!(
                "{}{} {:?} {}: {}\n",
                " ".repeat(pad),
                "^".repeat(width),
                d.severity,
                d.code,
                d.message
            ));
            for r in &d.related {
                out.push_str(&format!(
                    "  related {}:{} {}\n",
                    f.corpus.file(r.location.file).path,
                    f.corpus.line_of(&r.location) + 1,
                    r.message
                ));
            }
        }
        assert_eq!(out.trim_end(), expect.trim_end(), "\n--- actual ---\n{out}");
    }

    #[test]
    fn known_keys_are_quiet() {
        check(
            "//- /review.md\nSee [@ikhile2023virtuous; @buckley2022multistakeholder] and @doi:10.1111/hex.13774.\n",
            "",
        );
    }

    #[test]
    fn unknown_key_with_did_you_mean() {
        check(
            "//- /review.md\nSee [@ikhile2023virtous].\n",
            "See [@ikhile2023virtous].
      ^^^^^^^^^^^^^^^^^ Error unknown-key: unknown citation key `ikhile2023virtous`; did you mean `ikhile2023virtuous`?
  related seeds/003_0499f4ac7e19fbdd.txt:20 did you mean `ikhile2023virtuous`: Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
    }

    #[test]
    fn dois_unknown_and_malformed() {
        check(
            "//- /notes.txt\nsee doi:10.1000/unknown.1 and doi:10.1111 then https://doi.org/10.1111/HEX.13851\n",
            "see doi:10.1000/unknown.1 and doi:10.1111 then https://doi.org/10.1111/HEX.13851
        ^^^^^^^^^^^^^^^^^ Warning doi-not-in-corpus: DOI 10.1000/unknown.1 is not in the corpus
see doi:10.1000/unknown.1 and doi:10.1111 then https://doi.org/10.1111/HEX.13851
                              ^^^^^^^^^^^ Error malformed-doi: malformed DOI `10.1111`: a DOI needs a `/` between the registrant prefix and the suffix",
        );
    }

    #[test]
    fn typst_references_to_own_labels_are_not_citations() {
        check(
            "//- /paper.typ\n= Introduction <intro>\nSee @intro and @ikhile2023virtuous and @nobody.\n",
            "See @intro and @ikhile2023virtuous and @nobody.
                                        ^^^^^^ Error unknown-key: unknown citation key `nobody`",
        );
    }

    #[test]
    fn one_work_under_two_names() {
        check(
            "//- /review.md\nSee [@ikhile2023virtuous] and later [@doi:10.1111/hex.13851].\n",
            "See [@ikhile2023virtuous] and later [@doi:10.1111/hex.13851].
                                      ^^^^^^^^^^^^^^^^^^^^^ Warning same-work: `doi:10.1111/hex.13851` and `ikhile2023virtuous` name the same work; cite it one way
  related seeds/003_0499f4ac7e19fbdd.txt:20 both name `ikhile2023virtuous`: Ikhile et al. (2023) A virtuous cycle of co-production: Reflections from a community priority-setting exercise",
        );
    }

    #[test]
    fn cited_only_work_is_a_hint_naming_the_citing_documents() {
        check(
            "//- /review.md\nSee @hickey2018potential.\n",
            "See @hickey2018potential.
     ^^^^^^^^^^^^^^^^^^^ Hint cited-only: `hickey2018potential` is known only from the reference list of ikhile2023virtuous; the corpus does not hold the work itself
  related seeds/003_0499f4ac7e19fbdd.txt:20 cited by `ikhile2023virtuous`",
        );
    }

    #[test]
    fn ambiguous_key_names_both_works() {
        let page = |title: &str, doi: &str| {
            format!("Smith, J (2020) {title}. Journal of Tests. ISSN 1234-5678\n\n{title}\n\ndoi: {doi}\n")
        };
        let fixture = format!(
            "//- /a.txt\n{}//- /b.txt\n{}//- /review.md\nSee [@smith2020effects].\n",
            page("Effects of testing on tests", "10.1000/a"),
            page("Effects of tests on testing", "10.1000/b")
        );
        let f = Fixture::parse(&fixture);
        let found = diagnostics(&f.corpus, &f.manuscript);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "ambiguous-key");
        assert_eq!(found[0].related.len(), 2);
        assert!(found[0].message.contains("smith2020effects-"), "{}", found[0].message);
    }
}
