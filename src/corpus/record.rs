//! The record model: one citable work, as read from one or more corpus files.
//!
//! Every field value carries where it was read ([`Location`]: file and byte range) and how
//! sure the reader was ([`Confidence`]). Hover uses the location to say where a record came
//! from, go-to-definition uses [`Record::anchor`], and merging (one work reached from two pages)
//! keeps the more confident value. Output formats are built at the boundaries (`corpus::csl`
//! for CSL-JSON, the LSP layer for payloads); the serde derives here serve only the warm-start
//! cache ([`super::cache`]), a private binary format that is never shown to anyone.

use std::ops::Range;

use compact_str::CompactString;

use super::doi::Doi;

/// Index of a file in [`super::Corpus::files`].
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Index of a record in [`super::Corpus::records`].
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(pub u32);

/// Bytes of one corpus file.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub file: FileId,
    pub range: Range<u32>,
}

/// The anchors of a record (see [`Record::anchors`]).
pub type Anchors = smallvec::SmallVec<[Location; 1]>;

/// How a value was read. Only `Medium` and above are kept in a record; `Low` exists so that a
/// reader can collect weak evidence and promote it when another signal agrees.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A guess from layout alone (e.g. the first title-shaped line of a page with no other
    /// signal). Never shown.
    Low,
    /// Layout plus corroboration (the title-shaped line of a page that has a DOI and an
    /// abstract), or a value from a reference list.
    Medium,
    /// A labelled field (`DOI:`, `Publisher:`), a structured tag, or a value confirmed twice.
    High,
}

/// One field value with its provenance.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub at: Location,
    pub confidence: Confidence,
}

impl<T> Field<T> {
    pub fn new(value: T, at: Location, confidence: Confidence) -> Field<T> {
        Field { value, at, confidence }
    }

    /// The same field with its value converted (a `String` to a `CompactString`).
    pub fn convert<U: From<T>>(self) -> Field<U> {
        Field { value: U::from(self.value), at: self.at, confidence: self.confidence }
    }
}

/// A person as a reference shows them: family name and given names or initials.
///
/// Both names sit in one `CompactString`, split by [`Person::SEPARATOR`], kept inside the
/// struct up to 24 bytes: nearly every name is that short. Two heap allocations per author
/// were a fifth of a record's memory at 100,000 entries, and two inline strings still made an
/// author 64 bytes with its location, against 40 now (issue 11). On disk (the warm-start
/// cache) a person is still the pair `{family, given}`.
#[derive(Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(from = "PersonParts", into = "PersonParts")]
pub struct Person {
    /// `family`, the separator, then `given`.
    names: CompactString,
}

/// A [`Person`] as serialised: the same bytes as the two-field struct it replaced.
#[derive(serde::Serialize, serde::Deserialize)]
struct PersonParts {
    family: CompactString,
    given: CompactString,
}

impl From<PersonParts> for Person {
    fn from(parts: PersonParts) -> Person {
        Person::new(parts.family, parts.given)
    }
}

impl From<Person> for PersonParts {
    fn from(person: Person) -> PersonParts {
        PersonParts { family: person.family().into(), given: person.given().into() }
    }
}

impl Person {
    /// Between the family and the given names. A family name holding it (no source writes a
    /// control character in a name) has it replaced by a space.
    pub const SEPARATOR: char = '\u{1f}';

    pub fn new(family: impl AsRef<str>, given: impl AsRef<str>) -> Person {
        let (family, given) = (family.as_ref(), given.as_ref());
        let mut names = CompactString::with_capacity(family.len() + 1 + given.len());
        if family.contains(Person::SEPARATOR) {
            names.push_str(&family.replace(Person::SEPARATOR, " "));
        } else {
            names.push_str(family);
        }
        names.push(Person::SEPARATOR);
        names.push_str(given);
        Person { names }
    }

    /// The family name (or the whole name of an organisation).
    pub fn family(&self) -> &str {
        self.parts().0
    }

    /// Given names, or initials written `B. J. R.`; empty when the source shows none.
    pub fn given(&self) -> &str {
        self.parts().1
    }

    /// The family and the given names. The separator is one ASCII byte, found with `memchr`:
    /// `str::split_once` with a `char` went through a searcher that was a tenth of building
    /// the 50 items of a completion (issue 11).
    fn parts(&self) -> (&str, &str) {
        let names = self.names.as_str();
        const SEPARATOR: u8 = {
            assert!(Person::SEPARATOR.is_ascii());
            Person::SEPARATOR as u8
        };
        match memchr::memchr(SEPARATOR, names.as_bytes()) {
            Some(at) => (&names[..at], &names[at + 1..]),
            None => (names, ""),
        }
    }

    /// The heap the names hold (none when they fit inside).
    pub fn heap(&self) -> usize {
        self.names.heap()
    }

    fn shrink(&mut self) {
        self.names.shrink_to_fit();
    }
}

/// As the two-field struct it replaced printed, so that record dumps read the same.
impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person").field("family", &self.family()).field("given", &self.given()).finish()
    }
}

/// Whether the work is one of the corpus's own documents or only known from a reference list.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// A saved page, or an entry of a bibliography file: the corpus holds the work itself.
    Document,
    /// A work named in the reference list of a document; the corpus does not hold it.
    Cited,
}

/// The CSL item type of a work. Only the types refls can recognise are listed.
#[derive(serde::Serialize, serde::Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkType {
    ArticleJournal,
    Book,
    Chapter,
    PaperConference,
    Report,
    Thesis,
    Webpage,
    Dataset,
    Manuscript,
    /// The reader could not tell; CSL's catch-all `article`.
    Article,
}

impl WorkType {
    /// The CSL 1.0 type name.
    pub fn csl_name(self) -> &'static str {
        match self {
            WorkType::ArticleJournal => "article-journal",
            WorkType::Book => "book",
            WorkType::Chapter => "chapter",
            WorkType::PaperConference => "paper-conference",
            WorkType::Report => "report",
            WorkType::Thesis => "thesis",
            WorkType::Webpage => "webpage",
            WorkType::Dataset => "dataset",
            WorkType::Manuscript => "manuscript",
            WorkType::Article => "article",
        }
    }
}

/// An abstract: its text, or where it is in the BibTeX file it was read from.
///
/// Abstracts are most of a bibliography's text (a Zotero export's are a kilobyte each) and are
/// shown only on hover, in completion documentation and in exports. An abstract written as one
/// braced or quoted value in a file read from disk is not kept: the record keeps the value's
/// range (the field's [`Location`]) and a hash of its bytes, and
/// [`super::Corpus::abstract_text`] reads it again when it is needed, showing nothing when the
/// bytes there are no longer the ones read (issue 11).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub enum Abstract {
    Held(String),
    /// XXH3 of the raw value's bytes (braces or quotes included) as they were read.
    InFile(u64),
}

impl From<String> for Abstract {
    fn from(text: String) -> Abstract {
        Abstract::Held(text)
    }
}

impl Abstract {
    /// The text when it is held, `None` when it is left in its file.
    pub fn held(&self) -> Option<&str> {
        match self {
            Abstract::Held(text) => Some(text),
            Abstract::InFile(_) => None,
        }
    }
}

/// One citable work.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
pub struct Record {
    pub kind: RecordKind,
    pub work_type: WorkType,
    /// Where go-to-definition lands: the title line of a saved page, the reference-list line
    /// of a cited work. A cited work named by several documents has several anchors.
    /// Nearly every record has one anchor, held inline: a list of its own was an allocation
    /// per record (issue 11).
    pub anchors: Anchors,
    pub title: Option<Field<Box<str>>>,
    pub authors: Vec<Field<Person>>,
    /// The source shows only the first author(s) followed by "et al.".
    pub et_al: bool,
    pub year: Option<Field<i32>>,
    pub container_title: Option<Field<CompactString>>,
    pub volume: Option<Field<CompactString>>,
    pub issue: Option<Field<CompactString>>,
    pub pages: Option<Field<CompactString>>,
    pub doi: Option<Field<Doi>>,
    /// Held in memory, or left in the BibTeX file it was read from (see [`Abstract`]).
    pub abstract_text: Option<Field<Abstract>>,
    pub keywords: Vec<Field<CompactString>>,
    /// A key given by the source itself (a BibTeX key); generated keys never replace it.
    /// A `CompactString`: most keys fit inline, and a heap string per record was 2 MB at
    /// 100,000 entries (issue 11).
    pub given_key: Option<CompactString>,
    /// The fields most records lack, in one allocation of their own that only the records
    /// having one of them pay for: [`Record::extra`] reads them, [`Record::extra_mut`] writes.
    /// Inline they made every record 320 bytes larger (issue 11).
    extra: Option<Box<Extra>>,
}

/// The fields of a [`Record`] that most records lack (see [`Record::extra`]).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Extra {
    pub container_short: Option<Field<CompactString>>,
    pub issn: Vec<Field<String>>,
    pub publisher: Option<Field<String>>,
    /// The fields that nearly every bibliography entry lacks too, one allocation further
    /// ([`Record::rare`]): a record whose only extra field was a publisher paid 296 bytes for
    /// them all, 112 now (issue 11).
    rare: Option<Box<Rare>>,
}

/// The fields of a [`Record`] that few records have: what saved pages and reference lists
/// show (PubMed ids, a corresponding author), citation links, and the keys of merged records
/// (see [`Record::rare`]).
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, Default, PartialEq)]
pub struct Rare {
    /// The one person named as corresponding author, when the page names no authors as such.
    pub corresponding_author: Option<Field<Person>>,
    pub pmid: Option<Field<String>>,
    /// Always with its `PMC` prefix.
    pub pmcid: Option<Field<String>>,
    /// Works this one cites (filled by the corpus when it links records).
    pub cites: Vec<RecordId>,
    /// Works that cite this one.
    pub cited_by: Vec<RecordId>,
    /// Other keys given to the same work by other sources (the same DOI under another key in
    /// another bibliography): the record answers to all of them.
    pub alias_keys: Vec<String>,
}

/// What [`Record::extra`] shows for a record without extra fields.
static NO_EXTRA: Extra = Extra { container_short: None, issn: Vec::new(), publisher: None, rare: None };

/// What [`Record::rare`] shows for a record without rare fields.
static NO_RARE: Rare = Rare {
    corresponding_author: None,
    pmid: None,
    pmcid: None,
    cites: Vec::new(),
    cited_by: Vec::new(),
    alias_keys: Vec::new(),
};

impl Extra {
    fn is_empty(&self) -> bool {
        self.container_short.is_none()
            && self.issn.is_empty()
            && self.publisher.is_none()
            && self.rare.as_ref().is_none_or(|rare| rare.is_empty())
    }
}

impl Rare {
    fn is_empty(&self) -> bool {
        self.corresponding_author.is_none()
            && self.pmid.is_none()
            && self.pmcid.is_none()
            && self.cites.is_empty()
            && self.cited_by.is_empty()
            && self.alias_keys.is_empty()
    }
}

/// The heap a record holds, by part: what `benches/heap.rs` reports per record and what the
/// guard test in this module bounds. Counted structurally (lengths and capacities), so it is the
/// same on every machine; the allocator's own rounding and headers come on top.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecordHeap {
    /// The record itself (it lives in its own `Arc` allocation).
    pub inline: usize,
    /// Text field values other than the abstract: title, container, volume, pages, DOI, keys…
    pub text: usize,
    pub abstract_text: usize,
    /// Authors and the corresponding author: the list and their names.
    pub people: usize,
    /// Anchors, ISSNs, keywords, citation links and alias keys: the lists and their strings.
    pub lists: usize,
}

impl RecordHeap {
    pub fn total(&self) -> usize {
        self.inline + self.text + self.abstract_text + self.people + self.lists
    }

    pub fn add(&mut self, other: &RecordHeap) {
        self.inline += other.inline;
        self.text += other.text;
        self.abstract_text += other.abstract_text;
        self.people += other.people;
        self.lists += other.lists;
    }
}

/// A field's text as held: a `String`, or a `CompactString` for values that are usually
/// short enough to sit inside the field (volume, pages, journal, names).
trait Text {
    /// The bytes it holds on the heap.
    fn heap(&self) -> usize;
    fn shrink(&mut self);
}

impl Text for String {
    fn heap(&self) -> usize {
        self.capacity()
    }
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl Text for Box<str> {
    fn heap(&self) -> usize {
        self.len()
    }
    /// Always exact already.
    fn shrink(&mut self) {}
}

impl Text for Abstract {
    fn heap(&self) -> usize {
        match self {
            Abstract::Held(text) => text.capacity(),
            Abstract::InFile(_) => 0,
        }
    }
    fn shrink(&mut self) {
        if let Abstract::Held(text) = self {
            text.shrink_to_fit();
        }
    }
}

impl Text for CompactString {
    fn heap(&self) -> usize {
        if self.is_heap_allocated() { self.capacity() } else { 0 }
    }
    /// Moves a value short enough back inside.
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl Text for Doi {
    fn heap(&self) -> usize {
        Doi::heap(self)
    }
    fn shrink(&mut self) {
        self.shrink_to_fit();
    }
}

impl Record {
    /// The fields most records lack (empty ones when the record has none).
    pub fn extra(&self) -> &Extra {
        self.extra.as_deref().unwrap_or(&NO_EXTRA)
    }

    /// The fields most records lack, for writing: allocates them on first use, so a reader
    /// calls it only when it has a value to write.
    pub fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    /// The fields few records have (empty ones when the record has none).
    pub fn rare(&self) -> &Rare {
        self.extra().rare.as_deref().unwrap_or(&NO_RARE)
    }

    /// The fields few records have, for writing: allocates them (and the extra fields) on
    /// first use.
    pub fn rare_mut(&mut self) -> &mut Rare {
        self.extra_mut().rare.get_or_insert_with(Box::default)
    }

    /// The heap this record holds (see [`RecordHeap`]).
    pub fn heap(&self) -> RecordHeap {
        fn text<T: Text>(field: &Option<Field<T>>) -> usize {
            field.as_ref().map_or(0, |f| f.value.heap())
        }
        fn person(p: &Person) -> usize {
            p.heap()
        }
        fn list<T>(v: &Vec<T>) -> usize {
            v.capacity() * std::mem::size_of::<T>()
        }
        let extra = self.extra();
        let rare = self.rare();
        RecordHeap {
            inline: std::mem::size_of::<Record>()
                + self.extra.as_ref().map_or(0, |_| std::mem::size_of::<Extra>())
                + extra.rare.as_ref().map_or(0, |_| std::mem::size_of::<Rare>()),
            text: text(&self.title)
                + text(&self.container_title)
                + text(&extra.container_short)
                + text(&self.volume)
                + text(&self.issue)
                + text(&self.pages)
                + text(&self.doi)
                + text(&rare.pmid)
                + text(&rare.pmcid)
                + text(&extra.publisher)
                + self.given_key.as_ref().filter(|k| k.is_heap_allocated()).map_or(0, |k| k.capacity()),
            abstract_text: text(&self.abstract_text),
            people: list(&self.authors)
                + self.authors.iter().map(|a| person(&a.value)).sum::<usize>()
                + rare.corresponding_author.as_ref().map_or(0, |a| person(&a.value)),
            lists: if self.anchors.spilled() { self.anchors.capacity() * std::mem::size_of::<Location>() } else { 0 }
                + list(&extra.issn)
                + extra.issn.iter().map(|f| f.value.capacity()).sum::<usize>()
                + list(&self.keywords)
                + self.keywords.iter().map(|f| f.value.heap()).sum::<usize>()
                + list(&rare.cites)
                + list(&rare.cited_by)
                + list(&rare.alias_keys)
                + rare.alias_keys.iter().map(String::capacity).sum::<usize>(),
        }
    }

    /// Gives back the spare capacity of every string and list, and the extra fields' allocation
    /// when they are all empty. Readers build values by pushing, which leaves up to half of each
    /// allocation unused; a record is read once and kept for the whole session, so the copy
    /// pays for itself (issue 11).
    pub fn shrink_to_fit(&mut self) {
        fn text<T: Text>(field: &mut Option<Field<T>>) {
            if let Some(f) = field {
                f.value.shrink();
            }
        }
        fn person(p: &mut Person) {
            p.shrink();
        }
        text(&mut self.title);
        text(&mut self.abstract_text);
        text(&mut self.doi);
        for f in [&mut self.container_title, &mut self.volume, &mut self.issue, &mut self.pages] {
            text(f);
        }
        for author in &mut self.authors {
            person(&mut author.value);
        }
        for f in &mut self.keywords {
            f.value.shrink_to_fit();
        }
        self.authors.shrink_to_fit();
        self.anchors.shrink_to_fit();
        self.keywords.shrink_to_fit();
        if let Some(key) = &mut self.given_key {
            key.shrink_to_fit();
        }
        if self.extra.as_ref().is_some_and(|e| e.is_empty()) {
            self.extra = None;
        }
        if let Some(extra) = &mut self.extra {
            if extra.rare.as_ref().is_some_and(|rare| rare.is_empty()) {
                extra.rare = None;
            }
            text(&mut extra.container_short);
            text(&mut extra.publisher);
            for f in &mut extra.issn {
                f.value.shrink_to_fit();
            }
            extra.issn.shrink_to_fit();
            if let Some(rare) = &mut extra.rare {
                text(&mut rare.pmid);
                text(&mut rare.pmcid);
                if let Some(a) = &mut rare.corresponding_author {
                    person(&mut a.value);
                }
                rare.cites.shrink_to_fit();
                rare.cited_by.shrink_to_fit();
                rare.alias_keys.shrink_to_fit();
            }
        }
    }

    pub fn new(kind: RecordKind, work_type: WorkType, anchor: Location) -> Record {
        Record {
            kind,
            work_type,
            anchors: smallvec::smallvec![anchor],
            title: None,
            authors: Vec::new(),
            et_al: false,
            year: None,
            container_title: None,
            volume: None,
            issue: None,
            pages: None,
            doi: None,
            abstract_text: None,
            keywords: Vec::new(),
            given_key: None,
            extra: None,
        }
    }

    /// The primary location: where the record was first read.
    pub fn anchor(&self) -> &Location {
        &self.anchors[0]
    }

    pub fn title(&self) -> Option<&str> {
        self.title.as_ref().map(|f| &*f.value)
    }

    pub fn year(&self) -> Option<i32> {
        self.year.as_ref().map(|f| f.value)
    }

    pub fn doi(&self) -> Option<&Doi> {
        self.doi.as_ref().map(|f| &f.value)
    }

    pub fn container(&self) -> Option<&str> {
        self.container_title.as_ref().or(self.extra().container_short.as_ref()).map(|f| f.value.as_str())
    }

    /// Moves every location of this record to `file`. A file's records are read once and
    /// cached with a placeholder id; the corpus gives them their real id when it assembles.
    pub fn set_file(&mut self, file: FileId) {
        fn set<T>(field: &mut Option<Field<T>>, file: FileId) {
            if let Some(f) = field {
                f.at.file = file;
            }
        }
        for anchor in &mut self.anchors {
            anchor.file = file;
        }
        for f in &mut self.authors {
            f.at.file = file;
        }
        for f in &mut self.keywords {
            f.at.file = file;
        }
        set(&mut self.title, file);
        set(&mut self.year, file);
        set(&mut self.container_title, file);
        set(&mut self.volume, file);
        set(&mut self.issue, file);
        set(&mut self.pages, file);
        set(&mut self.doi, file);
        set(&mut self.abstract_text, file);
        // Through the field, not `extra_mut`: a record without extra fields stays without.
        if let Some(extra) = &mut self.extra {
            for f in &mut extra.issn {
                f.at.file = file;
            }
            set(&mut extra.container_short, file);
            set(&mut extra.publisher, file);
            if let Some(rare) = &mut extra.rare {
                set(&mut rare.corresponding_author, file);
                set(&mut rare.pmid, file);
                set(&mut rare.pmcid, file);
            }
        }
    }

    /// Fills every empty field of `self` from `other`, and takes `other`'s value where it is
    /// more confident. Used when one work is reached from two documents.
    pub fn merge_from(&mut self, other: &Record) {
        fn pick<T: Clone>(mine: &mut Option<Field<T>>, theirs: &Option<Field<T>>) {
            match (mine.as_ref(), theirs) {
                (None, Some(t)) => *mine = Some(t.clone()),
                (Some(m), Some(t)) if t.confidence > m.confidence => *mine = Some(t.clone()),
                _ => {}
            }
        }
        pick(&mut self.title, &other.title);
        pick(&mut self.year, &other.year);
        pick(&mut self.container_title, &other.container_title);
        pick(&mut self.volume, &other.volume);
        pick(&mut self.issue, &other.issue);
        pick(&mut self.pages, &other.pages);
        pick(&mut self.doi, &other.doi);
        pick(&mut self.abstract_text, &other.abstract_text);
        if let Some(theirs) = &other.extra {
            let mine = self.extra_mut();
            pick(&mut mine.container_short, &theirs.container_short);
            pick(&mut mine.publisher, &theirs.publisher);
            if mine.issn.is_empty() {
                mine.issn = theirs.issn.clone();
            }
            if let Some(theirs) = &theirs.rare {
                let mine = self.rare_mut();
                pick(&mut mine.pmid, &theirs.pmid);
                pick(&mut mine.pmcid, &theirs.pmcid);
                pick(&mut mine.corresponding_author, &theirs.corresponding_author);
            }
        }
        if self.authors.is_empty() && !other.authors.is_empty() {
            self.authors = other.authors.clone();
            self.et_al = other.et_al;
        }
        if self.keywords.is_empty() {
            self.keywords = other.keywords.clone();
        }
        if other.kind == RecordKind::Document {
            self.kind = RecordKind::Document;
            self.work_type = other.work_type;
        } else if self.work_type == WorkType::Article {
            // `Article` means "could not tell"; any more specific type is better knowledge.
            self.work_type = other.work_type;
        }
        for anchor in &other.anchors {
            // Files are merged in order, so a repeat can only be among the anchors of the same
            // file at the end: checking those alone keeps a work cited by 10,000 pages linear.
            let repeated = self.anchors.iter().rev().take_while(|a| a.file == anchor.file).any(|a| a == anchor);
            if !repeated {
                self.anchors.push(anchor.clone());
            }
        }
        for key in other.given_key.as_deref().into_iter().chain(other.rare().alias_keys.iter().map(String::as_str)) {
            if self.given_key.is_none() {
                self.given_key = Some(key.into());
            } else if self.given_key.as_deref() != Some(key) && !self.rare().alias_keys.iter().any(|k| k == key) {
                self.rare_mut().alias_keys.push(key.to_owned());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_keeps_both_names_apart() {
        let person = Person::new("van der Berg", "J. A.");
        assert_eq!((person.family(), person.given()), ("van der Berg", "J. A."));
        assert_eq!(person.heap(), 0, "a short name sits inside the struct");
        let nameless = Person::new("World Health Organization", "");
        assert_eq!((nameless.family(), nameless.given()), ("World Health Organization", ""));
        // The separator inside a family name cannot move names into the given part.
        let odd = Person::new("Smith\u{1f}Jones", "Ann");
        assert_eq!((odd.family(), odd.given()), ("Smith Jones", "Ann"));
        let long = Person::new("Ramaswamy-Krishnamurthy-Subramanian", "Venkataraghavan");
        assert_eq!((long.family(), long.given()), ("Ramaswamy-Krishnamurthy-Subramanian", "Venkataraghavan"));
        assert_eq!(format!("{person:?}"), r#"Person { family: "van der Berg", given: "J. A." }"#);
    }

    #[test]
    fn an_author_is_forty_bytes() {
        assert_eq!(std::mem::size_of::<Field<Person>>(), 40);
    }

    /// The warm-start cache holds persons written as the two-field struct; they must read
    /// back, and be written, byte for byte the same.
    #[test]
    fn a_person_is_stored_as_the_pair_it_was() {
        #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
        struct Pair {
            family: String,
            given: String,
        }
        for (family, given) in
            [("Nguyen", "T. H."), ("Ramaswamy-Krishnamurthy-Subramanian", "Venkataraghavan"), ("WHO", "")]
        {
            let pair = Pair { family: family.into(), given: given.into() };
            let old = postcard::to_stdvec(&pair).unwrap();
            let person = Person::new(family, given);
            assert_eq!(postcard::to_stdvec(&person).unwrap(), old);
            assert_eq!(postcard::from_bytes::<Person>(&old).unwrap(), person);
        }
    }
}
