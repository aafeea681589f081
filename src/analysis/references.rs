//! Find references: every citation of a work across the workspace's manuscripts, from any of
//! its names (its key, a `doi:` key, a Manubot alias, a bare DOI) or from its entry in a
//! bibliography or its saved page.
//!
//! A citation refers to a work when its key, looked up as [`Manuscript::resolve`] does
//! (the file's own aliases first, then those the other files define, then identifier
//! spellings), names that work alone. A key that names no work or several is a [`Target::Name`]:
//! its references are the citations looked up by the same name, so "where else did I write
//! this unknown key" has an answer too.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::identifier_name;
use crate::corpus::{Corpus, FileId, RecordId, RecordKind, Resolution, SourceKind};
use crate::manuscript::workspace::ManuscriptFile;

/// The manuscripts a request looks at, with the aliases they define together (Manubot
/// defines them in one file for all the others).
pub struct Workspace<'a> {
    pub files: Vec<&'a ManuscriptFile>,
    aliases: HashMap<&'a str, &'a str>,
}

impl<'a> Workspace<'a> {
    pub fn new(files: impl IntoIterator<Item = &'a ManuscriptFile>) -> Workspace<'a> {
        let files: Vec<&ManuscriptFile> = files.into_iter().collect();
        let mut aliases = HashMap::new();
        for file in &files {
            for (alias, target) in &file.aliases {
                aliases.entry(alias.as_str()).or_insert(target.as_str());
            }
        }
        Workspace { files, aliases }
    }

    pub fn file(&self, path: &str) -> Option<&'a ManuscriptFile> {
        self.files.iter().find(|f| f.path == path).copied()
    }

    /// The name a key cited in `file` is looked up by (see [`super::Manuscript::lookup_name`]).
    pub fn lookup_name<'k>(&self, file: &'k ManuscriptFile, key: &'k str) -> Cow<'k, str>
    where
        'a: 'k,
    {
        let name = match file.aliases.get(key) {
            Some(target) => target.as_str(),
            None => self.aliases.get(key).copied().unwrap_or(key),
        };
        identifier_name(Cow::Borrowed(name))
    }

    /// A lookup of the keys of this workspace's files, remembering each name's resolution
    /// (a work is usually cited by one name everywhere).
    pub(crate) fn resolver<'c>(&'a self, corpus: &'c Corpus) -> Resolver<'a, 'c> {
        Resolver { workspace: self, corpus, memo: HashMap::new() }
    }
}

pub(crate) struct Resolver<'a, 'c> {
    workspace: &'a Workspace<'a>,
    corpus: &'c Corpus,
    memo: HashMap<String, Resolution<'c>>,
}

impl<'a, 'c> Resolver<'a, 'c> {
    /// The lookup name of a key cited in `file`, and what it resolves to.
    pub(crate) fn resolve<'k>(&mut self, file: &'k ManuscriptFile, key: &'k str) -> (Cow<'k, str>, Resolution<'c>)
    where
        'a: 'k,
    {
        let name = self.workspace.lookup_name(file, key);
        if let Some(found) = self.memo.get(name.as_ref()) {
            return (name, found.clone());
        }
        let found = self.corpus.index.resolve(&name);
        self.memo.insert(name.clone().into_owned(), found.clone());
        (name, found)
    }
}

/// What references are asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// One work of the corpus.
    Work(RecordId),
    /// A name that resolves to no work, or to several: citations looked up by that name.
    Name(String),
}

/// The citations of one manuscript that refer to the target, as byte ranges of their keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileReferences {
    pub path: String,
    pub ranges: Vec<Range<usize>>,
}

/// The target of the citation at `offset` in the manuscript at `path`, and that citation's
/// range.
pub fn target_at(
    corpus: &Corpus,
    workspace: &Workspace<'_>,
    path: &str,
    offset: usize,
) -> Option<(Target, Range<usize>)> {
    let file = workspace.file(path)?;
    let (key, range) = file.citation_at(offset)?;
    let name = workspace.lookup_name(file, key);
    let target = match corpus.index.resolve(&name) {
        Resolution::One(id) => Target::Work(id),
        Resolution::Unknown | Resolution::Ambiguous(_) => Target::Name(name.into_owned()),
    };
    Some((target, range))
}

/// The corpus file at `path`, if it is one.
pub fn corpus_file(corpus: &Corpus, path: &str) -> Option<FileId> {
    corpus.files.iter().find(|f| f.path == path).map(|f| f.id)
}

/// The work whose source is under `offset` in the corpus file at `path`: the entry of a
/// bibliography, the reference-list line of a cited work; anywhere else on a saved page, the
/// page's own work. The innermost source wins.
pub fn work_at(corpus: &Corpus, path: &str, offset: usize) -> Option<RecordId> {
    let file = corpus_file(corpus, path)?;
    let offset = offset as u32;
    let mut best: Option<(u32, RecordId)> = None;
    let mut page_document = None;
    for (i, record) in corpus.records.iter().enumerate() {
        for anchor in record.anchors.iter().filter(|a| a.file == file) {
            if anchor.range.start <= offset && offset <= anchor.range.end {
                let len = anchor.range.end - anchor.range.start;
                if best.is_none_or(|(best_len, _)| len < best_len) {
                    best = Some((len, RecordId(i as u32)));
                }
            }
            if record.kind == RecordKind::Document && page_document.is_none() {
                page_document = Some(RecordId(i as u32));
            }
        }
    }
    let is_page = !SourceKind::from_path(path).is_bibliography();
    best.map(|(_, id)| id).or(page_document.filter(|_| is_page))
}

/// Every citation of the target in the workspace, by manuscript (in path order), each file's
/// ranges in text order.
pub fn references(corpus: &Corpus, workspace: &Workspace<'_>, target: &Target) -> Vec<FileReferences> {
    let mut resolver = workspace.resolver(corpus);
    // The index knows a work only by the names in `corpus.keys` (a `doi:` name also in lower
    // case), so a key whose name is none of them is passed over without a lookup.
    let names: HashSet<&str> = match target {
        Target::Work(id) => corpus.keys.of(id.0 as usize).collect(),
        Target::Name(_) => HashSet::new(),
    };
    let mut res = Vec::new();
    for &file in &workspace.files {
        let hits: Vec<bool> = file
            .keys()
            .iter()
            .map(|key| match target {
                Target::Work(id) => {
                    let name = workspace.lookup_name(file, key);
                    let named = names.contains(name.as_ref())
                        || (name.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("doi:"))
                            && names.contains(name.to_lowercase().as_str()));
                    named && resolver.resolve(file, key).1 == Resolution::One(*id)
                }
                Target::Name(wanted) => workspace.lookup_name(file, key) == wanted.as_str(),
            })
            .collect();
        if hits.iter().any(|&hit| hit) {
            let ranges = file.citations().filter(|(k, _)| hits[*k]).map(|(_, range)| range).collect();
            res.push(FileReferences { path: file.path.clone(), ranges });
        }
    }
    res
}

/// How often a work is cited, and in how many manuscripts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Count {
    pub citations: usize,
    pub manuscripts: usize,
}

/// The counts of the works in `works` (works cited nowhere are left out).
pub fn counts(corpus: &Corpus, workspace: &Workspace<'_>, works: &HashSet<RecordId>) -> HashMap<RecordId, Count> {
    let mut resolver = workspace.resolver(corpus);
    let mut res: HashMap<RecordId, Count> = HashMap::new();
    for &file in &workspace.files {
        let ids: Vec<Option<RecordId>> = file
            .keys()
            .iter()
            .map(|key| match resolver.resolve(file, key).1 {
                Resolution::One(id) if works.contains(&id) => Some(id),
                _ => None,
            })
            .collect();
        let mut in_file: HashSet<RecordId> = HashSet::new();
        for (key, _) in file.citations() {
            let Some(id) = ids[key] else { continue };
            let count = res.entry(id).or_default();
            count.citations += 1;
            if in_file.insert(id) {
                count.manuscripts += 1;
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::super::fixture::WorkspaceFixture;
    use super::*;

    /// Renders the references of what is under the cursor (a citation in a manuscript, or a
    /// place in a corpus file) as `path: text of each range`.
    fn check(fixture: &str, expect: &str) {
        let f = WorkspaceFixture::parse(fixture);
        let workspace = Workspace::new(f.manuscripts.iter());
        let target = match target_at(&f.corpus, &workspace, &f.cursor_path, f.cursor) {
            Some((target, _)) => Some(target),
            None => work_at(&f.corpus, &f.cursor_path, f.cursor).map(Target::Work),
        };
        let Some(target) = target else {
            assert_eq!("(nothing under the cursor)", expect);
            return;
        };
        let found = references(&f.corpus, &workspace, &target);
        let actual: Vec<String> = found
            .iter()
            .map(|r| {
                let text = &f.texts[&r.path];
                let shown: Vec<String> =
                    r.ranges.iter().map(|range| format!("{}@{}", &text[range.clone()], range.start)).collect();
                format!("{}: {}", r.path, shown.join(" "))
            })
            .collect();
        assert_eq!(actual.join("\n"), expect);
    }

    const BIB: &str = "//- /refs.bib
@article{quill2020sparrows, author = {Quill, Ada}, title = {Counting sparrows on allotments}, year = {2020}, doi = {10.1000/sparrow.1}}
@article{wren2019, author = {Wren, Jo}, title = {Garden birds}, year = {2019}}
";

    #[test]
    fn every_name_of_a_work_across_dialects() {
        check(
            &format!(
                "{BIB}//- /a.md
See [@quill2<|>020sparrows; @wren2019] and @doi:10.1000/SPARROW.1.
Also https://doi.org/10.1000/sparrow.1 again.
//- /b.tex
\\cite{{wren2019,quill2020sparrows}}
//- /c.typ
As @quill2020sparrows shows.
//- /d.org
[cite:@quill2020sparrows]
"
            ),
            "a.md: quill2020sparrows@6 doi:10.1000/SPARROW.1@41 10.1000/sparrow.1@85\n\
             b.tex: quill2020sparrows@15\n\
             c.typ: quill2020sparrows@4\n\
             d.org: quill2020sparrows@7",
        );
    }

    #[test]
    fn from_a_bare_doi_and_from_a_manubot_alias_defined_in_another_file() {
        let fixture = format!(
            "{BIB}//- /01.intro.md
Birds [@tag:sparrows] and @wren2019.
//- /90.back-matter.md
[@tag:sparrows]: doi:10.1000/sparrow.1
//- /notes.md
Read 10.1000/sparrow.<|>1 later, cited as [@quill2020sparrows].
"
        );
        check(&fixture, "01.intro.md: tag:sparrows@8\nnotes.md: 10.1000/sparrow.1@5 quill2020sparrows@41");
    }

    #[test]
    fn from_a_bibliography_entry() {
        check(
            "//- /refs.bib
@article{quill2020sparrows, author = {Quill, Ada}, title = {Counting sparrows}, year = {2020}}
@article{wren2019, author = {Wren, Jo}, title = {Garden <|>birds}, year = {2019}}
//- /a.md
[@wren2019] and [@quill2020sparrows] and [@wren2019, p. 3].
//- /b.md
Nothing cited here.
",
            "a.md: wren2019@2 wren2019@43",
        );
    }

    #[test]
    fn from_a_csl_json_entry_and_a_csl_yaml_entry() {
        check(
            r#"//- /refs.json
[{"id": "quill2020", "type": "article-journal", "title": "Counting <|>sparrows", "issued": {"date-parts": [[2020]]}}]
//- /a.md
[@quill2020]
"#,
            "a.md: quill2020@2",
        );
        check(
            "//- /refs.yaml
references:
- id: wren2019
  type: book
  title: Garden <|>birds
//- /a.md
[@wren2019]
",
            "a.md: wren2019@2",
        );
    }

    #[test]
    fn from_anywhere_on_a_saved_page() {
        // The shape of a PubMed Central page: title, then a block of identifiers.
        let page = "Counting sparrows on allotments through a cold winter\n\nArticle\nXYZ1\n10.1000/sparrow.9\n10349235\n31415926\nuuid-here\n\nAbstract\n\nWe counted <|>sparrows on allotments every week of one winter and report the numbers here. We counted sparrows on allotments every week of one winter and report the numbers here.\n";
        let fixture = format!(
            "//- /pages/sparrows.txt\n{page}//- /a.md\nSee @doi:10.1000/sparrow.9 and [@countingsparrows] and [@pmid:31415926].\n"
        );
        check(&fixture, "a.md: doi:10.1000/sparrow.9@5 countingsparrows@33 pmid:31415926@57");
    }

    #[test]
    fn unknown_and_ambiguous_keys_find_the_same_name() {
        check(
            "//- /refs.bib
@article{same, title = {One}, year = {2020}}
//- /more.bib
@article{same, title = {Two}, year = {2021}}
//- /a.md
[@same] and [@nobody] and [@sa<|>me].
//- /b.md
[@same] [@nobody]
",
            "a.md: same@2 same@28\nb.md: same@2",
        );
        check(
            "//- /refs.bib\n@article{x, title = {X}}\n//- /a.md\n[@nob<|>ody] [@x]\n//- /b.md\n[@nobody]\n",
            "a.md: nobody@2\nb.md: nobody@2",
        );
    }

    #[test]
    fn nothing_outside_citations_and_sources() {
        check(&format!("{BIB}//- /a.md\nPlain <|>prose.\n"), "(nothing under the cursor)");
        check("//- /refs.bib\n<|>\n@article{x, title = {X}}\n//- /a.md\n[@x]\n", "(nothing under the cursor)");
    }

    fn check_counts(fixture: &str, expect: &str) {
        let f = WorkspaceFixture::parse(fixture);
        let workspace = Workspace::new(f.manuscripts.iter());
        let works: HashSet<RecordId> = (0..f.corpus.records.len() as u32).map(RecordId).collect();
        let found = counts(&f.corpus, &workspace, &works);
        let mut shown: Vec<String> =
            found.iter().map(|(id, c)| format!("{} {}x {}", f.corpus.key(*id), c.citations, c.manuscripts)).collect();
        shown.sort();
        assert_eq!(shown.join("\n"), expect);
    }

    #[test]
    fn counts_of_citations_and_manuscripts() {
        check_counts(
            &format!(
                "{BIB}//- /a.md\n[@wren2019; @quill2020sparrows] [@wren2019] 10.1000/sparrow.1\n//- /b.tex\n\\cite{{wren2019}}\n"
            ),
            "quill2020sparrows 2x 1\nwren2019 3x 2",
        );
    }
}
