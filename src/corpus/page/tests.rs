//! Fixture tests of the saved-page extractor: one per trap of the seed truth, each on a small
//! page that isolates it (so the rule is shown to be general, not fitted to one file), plus
//! the page shapes of other sites. `check` is the only caller of `read` here.

use super::*;
use crate::corpus::seeds::SEEDS;

fn render(reading: &PageReading) -> String {
    let mut out = String::new();
    match &reading.document {
        None => out.push_str("no document\n"),
        Some(doc) => render_record(doc, &mut out),
    }
    for cited in &reading.cited {
        out.push_str("cited: ");
        render_record(cited, &mut out);
    }
    out
}

fn render_record(r: &Record, out: &mut String) {
    use std::fmt::Write;
    let mut parts = vec![format!("{}", r.work_type.csl_name())];
    if let Some(t) = &r.title {
        parts.push(format!("title={:?}", t.value));
    }
    if !r.authors.is_empty() {
        let names: Vec<String> =
            r.authors.iter().map(|a| format!("{}, {}", a.value.family(), a.value.given())).collect();
        parts.push(format!("authors=[{}]{}", names.join("; "), if r.et_al { " et al" } else { "" }));
    }
    if let Some(p) = &r.rare().corresponding_author {
        parts.push(format!("corresponding={}, {}", p.value.family(), p.value.given()));
    }
    if let Some(y) = &r.year {
        parts.push(format!("year={}", y.value));
    }
    fn text<T: std::ops::Deref<Target = str>>(field: &Option<Field<T>>) -> Option<&str> {
        field.as_ref().map(|f| &*f.value)
    }
    for (name, value) in [
        ("container", text(&r.container_title)),
        ("short", text(&r.extra().container_short)),
        ("volume", text(&r.volume)),
        ("issue", text(&r.issue)),
        ("pages", text(&r.pages)),
        ("pmid", text(&r.rare().pmid)),
        ("pmcid", text(&r.rare().pmcid)),
        ("publisher", text(&r.extra().publisher)),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name}={value:?}"));
        }
    }
    if let Some(d) = &r.doi {
        parts.push(format!("doi={}", d.value));
    }
    if !r.extra().issn.is_empty() {
        parts.push(format!("issn={}", r.extra().issn.iter().map(|f| f.value.as_str()).collect::<Vec<_>>().join(",")));
    }
    if let Some(a) = &r.abstract_text {
        parts.push(format!("abstract={:?}", a.value.held().unwrap_or_default().chars().take(30).collect::<String>()));
    }
    if !r.keywords.is_empty() {
        parts.push(format!("keywords={:?}", r.keywords.iter().map(|k| k.value.as_str()).collect::<Vec<_>>()));
    }
    let _ = writeln!(out, "{}", parts.join(" | "));
}

/// Reads `page` and compares the rendering with `expect` (one line per record; leading
/// indentation of `expect` lines is ignored so fixtures can be indented in the source).
fn check(page: impl AsRef<str>, expect: &str) {
    let page = page.as_ref();
    let actual = render(&read(FileId(0), page));
    let expected: Vec<&str> = expect.lines().map(str::trim_start).collect();
    assert_eq!(actual.trim_end(), expected.join("\n").trim_end(), "\n--- actual ---\n{actual}");
}

fn seed(prefix: &str) -> &'static str {
    SEEDS.iter().find(|(name, _)| name.starts_with(prefix)).expect("seed").1
}

// --- Traps of seed 000 ---------------------------------------------------------------------

#[test]
fn navigation_noise_is_not_the_title() {
    check(
        "Site navigation\n\nSearch The Repository\n\nA study of things: lessons from the field\n\nSmith, J and Doe, AB (2020) A study of things: lessons from the field. Journal of Things. ISSN 1234-5678\n",
        r#"article-journal | title="A study of things: lessons from the field" | authors=[Smith, J.; Doe, A. B.] | year=2020 | container="Journal of Things" | issn=1234-5678"#,
    );
    let reading = read(FileId(0), seed("000"));
    assert_ne!(reading.document.unwrap().title.unwrap().value.as_ref(), "Facial reconstruction");
}

#[test]
fn doi_written_twice_with_and_without_scheme_is_one_doi() {
    check(
        "Article\n\nA study of things: lessons from the field\n\nOpen Access URL: https://doi.org/10.1000/ABC.123 (published)\n\nDOI or ID number: doi.org/10.1000/ABC.123\n",
        r#"article | title="A study of things: lessons from the field" | doi=10.1000/abc.123"#,
    );
}

// --- Traps of seed 001 ---------------------------------------------------------------------

#[test]
fn journal_and_issue_dois_are_not_the_article_doi() {
    check(
        "Research article\nSome article title about research methods\n\nJournal\nJ Res\nJ Res\n10.1111/(ISSN)1234-5678\nJournal of Research\n: 4\n: 2 ( doiID: 10.1111/jres.v4.2 )\n: 10-20\nAffiliations\n",
        r#"article-journal | title="Some article title about research methods" | container="Journal of Research" | short="J Res" | volume="4" | issue="2" | pages="10-20""#,
    );
    let doc = read(FileId(0), seed("001")).document.unwrap();
    assert_eq!(doc.doi.unwrap().value.as_str(), "10.1111/hex.13774");
}

#[test]
fn typographic_hyphen_in_the_title_is_kept() {
    let doc = read(FileId(0), seed("001")).document.unwrap();
    let title = doc.title.unwrap();
    assert!(title.value.contains("equity\u{2010}sensitive") && title.value.contains("decision\u{2010}making"));
    // The location is exact bytes of the seed, so UTF-16 conversion later works on real text.
    let at = title.at.range;
    assert_eq!(&seed("001")[at.start as usize..at.end as usize], &*title.value);
}

#[test]
fn most_cited_references_are_cited_works_not_the_article() {
    check(
        "Is Open Access\n\nThe real article title: a study of everything\n\nAbstract\n\n".to_owned()
            + &"Background We studied everything there is to study in a long abstract sentence. ".repeat(3)
            + "\n\nMost cited references12\n\n• Record: found\nIs Open Access\n\nA cited work title: with a subtitle\n\n"
            + &"Background This cited work has a long snippet of its own abstract shown here. ".repeat(3)
            + "\nBookmark\n\nAuthor and article information\n",
        r#"article | title="The real article title: a study of everything" | abstract="Background We studied everythi"
            cited: article | title="A cited work title: with a subtitle""#,
    );
}

#[test]
fn roles_without_names_are_not_authors() {
    check(
        "A title of an article with roles: and more words\n\nAbstract\n\n".to_owned()
            + &"This is the abstract of the article and it is long enough to count as prose. ".repeat(3)
            + "\n\nContributors\nRole: Programme Manager\nRole: Reader\nAuthor notes\n[*] Correspondence Jane Cloke, PhD, Department of Things, University.\n",
        r#"article | title="A title of an article with roles: and more words" | corresponding=Cloke, Jane | abstract="This is the abstract of the ar""#,
    );
}

#[test]
fn pmc_number_without_prefix_and_pubmed_id() {
    check(
        "A title of an article with identifiers in a block\n\nArticle\nABC123\n10.1000/abc.123\n10349235\n37154125\nuuid-here\n",
        r#"article | title="A title of an article with identifiers in a block" | pmid="37154125" | pmcid="PMC10349235" | doi=10.1000/abc.123"#,
    );
}

// --- Traps of seed 002 ---------------------------------------------------------------------

#[test]
fn section_headings_are_not_a_title() {
    check(
        "Abstract\n\n".to_owned()
            + &"Coproduction is an approach described by Ostrom[1] and Cahn.[2] in a long sentence. ".repeat(3)
            + "\n\nHighlights\n\n• A highlight.[13]\n\nSummary\n\n| INTRODUCTION\n\n| METHODS\n",
        r#"article | abstract="Coproduction is an approach de""#,
    );
}

#[test]
fn abstract_only_page_is_indexed_without_invented_fields() {
    let reading = read(FileId(0), seed("002"));
    let doc = reading.document.expect("indexed");
    assert!(doc.title.is_none() && doc.authors.is_empty() && doc.year.is_none() && doc.doi.is_none());
    assert!(doc.abstract_text.unwrap().value.held().unwrap().contains("Prudent Healthcare"));
    // Bracketed numbers cite a list the page does not have: no cited works.
    assert!(reading.cited.is_empty());
}

// --- Traps of seed 003 ---------------------------------------------------------------------

#[test]
fn doi_followed_by_sentence_punctuation() {
    check(
        "Banner\n. 2020 Jan;1(2):3-4.\ndoi: 10.1000/xyz.99. Epub 2020 Jan 2.\n\nA title that appears exactly twice on the page\n\nAffiliations\n\nA title that appears exactly twice on the page\n",
        r#"article-journal | title="A title that appears exactly twice on the page" | year=2020 | volume="1" | issue="2" | pages="3-4" | doi=10.1000/xyz.99"#,
    );
}

#[test]
fn reference_list_dois_belong_to_cited_works() {
    check(
        "A title that appears exactly twice on the page\n\nA title that appears exactly twice on the page\n\nReferences\n\n    1. Hickey DG. The potential for coproduction to add value. Health Expect. 2018;21(4):693‐694. 10.1111/hex.12821 - DOI - PMC - PubMed\n    1. Hickey G, Brearley S, et al. Guidance on co‐producing a research project. February 2018. Accessed November 22, 2022. https://example.org/x.pdf\n",
        r#"article | title="A title that appears exactly twice on the page"
            cited: article-journal | title="The potential for coproduction to add value" | authors=[Hickey, D. G.] | year=2018 | container="Health Expect" | volume="21" | issue="4" | pages="693-694" | doi=10.1111/hex.12821
            cited: article | title="Guidance on co-producing a research project" | authors=[Hickey, G.; Brearley, S.] et al | year=2018"#,
    );
}

#[test]
fn government_banner_is_not_content() {
    check(
        "Skip to main page content\nU.S. flag\n\nAn official website of the United States government\n\nThe .gov means it’s official.\nFederal government websites often end in .gov or .mil. Before sharing sensitive information, make sure you’re on a federal government site.\n",
        "no document",
    );
}

#[test]
fn journal_abbreviation_only() {
    let doc = read(FileId(0), seed("003")).document.unwrap();
    assert_eq!(doc.container_title.unwrap().value, "Health Expect");
    assert_eq!((doc.authors.len(), doc.et_al), (1, true));
}

#[test]
fn similar_articles_are_neither_metadata_nor_references() {
    check(
        "The page's own title, repeated for certainty\n\nThe page's own title, repeated for certainty\n\nSimilar articles\n\nOther work on a different topic entirely. Smith J, Doe A. J Other. 2019;1:2. doi: 10.9999/other.1\nOther work on a different topic entirely\n\nReferences\n\n1. Farr M. Real cited work title here. Humanit Soc Sci Commun. 2021;8(1):105. 10.1057/s41599-021-00782-1 - DOI\n",
        r#"article | title="The page's own title, repeated for certainty"
            cited: article-journal | title="Real cited work title here" | authors=[Farr, M.] | year=2021 | container="Humanit Soc Sci Commun" | volume="8" | issue="1" | pages="105" | doi=10.1057/s41599-021-00782-1"#,
    );
}

// --- Traps of seed 004 ---------------------------------------------------------------------

#[test]
fn lost_authors_counters_and_history_dates() {
    check(
        "461\nViews\n6\nCrossRef citations to date\n0\nAltmetric\nArticles\n\nCoproduction without experts: a study of people\n\n&\nPages 157-169 | Received 01 Oct 2014, Accepted 06 Dec 2014, Published online: 23 Mar 2015\n\nAbstract\n\n".to_owned()
            + &"Coproduction has been widely promoted as a means of revolutionising care in 2012. ".repeat(3)
            + "\n\nFunding\n\nThis work was supported by a grant. It was conducted with Professor Tara Fenwick, University of Stirling and Sue Kilminster, University of Leeds.\n",
        r#"article-journal | title="Coproduction without experts: a study of people" | year=2015 | pages="157-169" | abstract="Coproduction has been widely p""#,
    );
}

// --- Other sites' shapes -------------------------------------------------------------------

#[test]
fn labelled_fields_page() {
    check(
        "Title: Effects of sleep on memory: a review\nAuthors: Müller, Anna; Núñez, J.\nJournal: Sleep Research Reviews\nPublished: 12 March 2021\nVolume: 4\nIssue: 2\nPages: 100–110\nDOI: https://doi.org/10.5555/SRR.2021.004\nPMID: 33333333\nPMCID: PMC7777777\nKeywords: sleep; memory; review.\n",
        r#"article-journal | title="Effects of sleep on memory: a review" | authors=[Müller, Anna; Núñez, J.] | year=2021 | container="Sleep Research Reviews" | volume="4" | issue="2" | pages="100-110" | pmid="33333333" | pmcid="PMC7777777" | doi=10.5555/srr.2021.004 | keywords=["sleep", "memory", "review"]"#,
    );
}

#[test]
fn apa_citation_line() {
    check(
        "How to cite this article\n\nNguyen, T. H., & O'Brien, K. (2019). Community health workers: a systematic review. Global Health Action, 12(1), 45–67. https://doi.org/10.1080/16549716.2019.1234567\n",
        r#"article-journal | title="Community health workers: a systematic review" | authors=[Nguyen, T. H.; O'Brien, K.] | year=2019 | container="Global Health Action" | volume="12" | issue="1" | pages="45-67" | doi=10.1080/16549716.2019.1234567"#,
    );
}

#[test]
fn jats_xml_saved_as_text() {
    check(
        r#"<article><front><journal-meta><journal-title-group><journal-title>BMC Health Services Research</journal-title></journal-title-group><issn pub-type="epub">1472-6963</issn><publisher><publisher-name>BioMed Central</publisher-name></publisher></journal-meta>
<article-meta><article-id pub-id-type="pmid">31111111</article-id><article-id pub-id-type="doi">10.1186/s12913-019-4000-1</article-id>
<title-group><article-title>Co-design of services: a <italic>realist</italic> evaluation</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Lee</surname><given-names>Min-Jun</given-names></name></contrib><contrib contrib-type="author"><name><surname>Ó Briain</surname><given-names>S</given-names></name></contrib></contrib-group>
<pub-date pub-type="epub"><day>3</day><month>5</month><year>2019</year></pub-date><volume>19</volume><issue>1</issue><fpage>300</fpage><lpage>312</lpage>
<abstract><p>We evaluated co-design.</p></abstract><kwd-group><kwd>co-design</kwd><kwd>realist evaluation</kwd></kwd-group></article-meta></front>
<back><ref-list><ref id="r1"><element-citation><person-group><name><surname>Oliver</surname><given-names>K</given-names></name></person-group><article-title>The dark side of coproduction</article-title><source>Health Res Policy Syst</source><year>2019</year><pub-id pub-id-type="doi">10.1186/s12961-019-0432-3</pub-id></element-citation></ref></ref-list></back></article>"#,
        r#"article-journal | title="Co-design of services: a realist evaluation" | authors=[Lee, Min-Jun; Ó Briain, S] | year=2019 | container="BMC Health Services Research" | volume="19" | issue="1" | pages="300-312" | pmid="31111111" | publisher="BioMed Central" | doi=10.1186/s12913-019-4000-1 | issn=1472-6963 | abstract="We evaluated co-design." | keywords=["co-design", "realist evaluation"]
            cited: article-journal | title="The dark side of coproduction" | authors=[Oliver, K] | year=2019 | container="Health Res Policy Syst" | doi=10.1186/s12961-019-0432-3"#,
    );
}

#[test]
fn pages_that_are_not_articles() {
    check(
        "We use cookies to improve your experience\nAccept all cookies\n\nHome | News | About us\n\nOur new building opens next week for all students\n\nPublished: 3 June 2024\n\nThe library will be closed on Monday. Visitors should use the side entrance. More news soon.\n",
        "no document",
    );
    check("Page not found\n\nSorry, the page you requested could not be found on this server.\n", "no document");
    check("", "no document");
}

#[test]
fn every_seed_reads_without_panicking_at_any_truncation() {
    // Saved pages are often cut off; every prefix of every seed must read.
    for (_, text) in SEEDS {
        for end in (0..text.len()).step_by(97).filter(|&e| text.is_char_boundary(e)) {
            let _ = read(FileId(0), &text[..end]);
        }
    }
}

// --- Pages from sites the extractor was not fitted to (issue 8) ------------------------------
// Each fixture is written in our own words, in the shape a kind of site prints.

#[test]
fn a_lone_first_title_shaped_line_is_not_a_title() {
    // A "next article" link and a logo's text come first; nothing corroborates them.
    check(
        "Next Article in Journal\nA Different Story About Rivers and Their Banks\nFont Type:\nArial Georgia Verdana\n\nJournal logoLink to the Journal of River Studies\n\nDOI: 10.1000/riv.2024.45\n",
        "no document",
    );
}

#[test]
fn a_title_is_corroborated_by_what_surrounds_it() {
    // An article-type line above it, an affiliation below it.
    check(
        "Next Article in Journal\nA Different Story About Rivers and Their Banks\n\nReview\n\nRiver sediments in a changing climate: a field study\n\nDepartment of Rivers, Some University, Town 123, Country\nRivers 2024, 3(2), 45; https://doi.org/10.1000/riv.2024.45\n",
        r#"article-journal | title="River sediments in a changing climate: a field study" | year=2024 | container="Rivers" | volume="3" | issue="2" | pages="45" | doi=10.1000/riv.2024.45"#,
    );
    // A byline with affiliation markers below it.
    check(
        "Site banner with a long sentence of chrome\n\nThe winter diet of small owls in old orchards\n\nAda Quill 1, Ben T Rook 2,*, Cy-Ra Moss 1\n\nPMCID: PMC1234567  NIHMSID: NIHMS7654  PMID: 7654321\n",
        r#"article | title="The winter diet of small owls in old orchards" | authors=[Quill, Ada; Rook, Ben T; Moss, Cy-Ra] | pmid="7654321" | pmcid="PMC1234567""#,
    );
}

#[test]
fn a_title_wrapped_above_its_byline_is_joined() {
    check(
        "REVIEW ARTICLE\n\nGlacier retreat and alpine plants: a review of the\n\n\nevidence\nAda Quill1,2, Ben Rook2\n\nKeywords\n\nDOI: 10.1000/glac.1\n",
        r#"article | title="Glacier retreat and alpine plants: a review of the evidence" | authors=[Quill, Ada; Rook, Ben] | doi=10.1000/glac.1"#,
    );
}

#[test]
fn one_name_a_line_under_a_by_line() {
    check(
        "Article\n\nHow bees choose flowers in cities\n\nby\nAda Quill\n1,2,\nBen Rook\n2,* and\nCy Moss\n1\nSchool of Bees, Some University, Town, Country\nBees 2023, 5(1), 12; https://doi.org/10.1000/bees5010012\n",
        r#"article-journal | title="How bees choose flowers in cities" | authors=[Quill, Ada; Rook, Ben; Moss, Cy] | year=2023 | container="Bees" | volume="5" | issue="1" | pages="12" | doi=10.1000/bees5010012"#,
    );
}

#[test]
fn a_doi_glued_to_the_next_word_is_cut() {
    check(
        "Research article\nA study of lake ice in spring\n\nDOI: 10.1000/lake.2021.07.021Get rights and content\n",
        r#"article | title="A study of lake ice in spring" | doi=10.1000/lake.2021.07.021"#,
    );
}

#[test]
fn a_doi_broken_at_a_line_end_is_not_taken() {
    check(
        "Research article\nA study of lake ice in spring\nCitation: Quill A (2018) A study of lake ice in spring. Lakes 13(1): e12. https://doi.org/10.1000/journal. and more text\n",
        r#"article | title="A study of lake ice in spring""#,
    );
}

#[test]
fn aggregator_labels_in_other_languages_and_masthead_values() {
    // A heading line, its value on the next line; the journal value carries year and numbers.
    check(
        "Seasonal moult of seabirds on northern coasts\n\nhttps://doi.org/10.1000/bird.77 ·\n\nВидання: Seabird Studies, 2024, № 6, с. 1162\n\nВидавець: Some Press\n\nАвтори:\n\n  1. Ada Quill\n  2. Ben T Rook\n\nАнотація\n\nA short summary.\n",
        r#"article-journal | title="Seasonal moult of seabirds on northern coasts" | authors=[Quill, Ada; Rook, Ben T] | year=2024 | container="Seabird Studies" | publisher="Some Press" | doi=10.1000/bird.77"#,
    );
    check(
        "Seasonal moult of seabirds on northern coasts\n\nGeneral information\n\nJournal\n2019, Seabird Studies, p. 10-20\nPublisher\n\nSome Press\n\nAuthors\n\nAda Quill, Ben Rook\n\nDetails\n",
        r#"article-journal | title="Seasonal moult of seabirds on northern coasts" | authors=[Quill, Ada; Rook, Ben] | year=2019 | container="Seabird Studies" | publisher="Some Press""#,
    );
}

#[test]
fn a_key_value_record_on_one_line() {
    check(
        "key: abc-123 authors: Quill, Ada; Rook, Ben title: Moss growth on north walls date: 2021-03-04 journal: Wall Ecol DOI: 10.1000/wall.866 sha: 0f0f doc_id: 1 BACKGROUND: Moss grows.\n",
        r#"article-journal | title="Moss growth on north walls" | authors=[Quill, Ada; Rook, Ben] | year=2021 | container="Wall Ecol" | doi=10.1000/wall.866"#,
    );
}

#[test]
fn reference_dois_printed_on_their_own_line() {
    // An entry in a style the reader does not parse still gives its DOI, inline or below it.
    check(
        "Research article\nMoss growth on north walls\n\nDOI: 10.1000/wall.866\n\nСписок літератури\n\n  1. Quill, Moss on walls, Wall Ecol, № 3, с. 1\n    https://doi.org/10.1000/ref.1 -\n  2. Rook B. Lichens and moss. Wall Ecol. 2019;2:3.\n    DOI:\n    10.1000/ref.2\n",
        r#"article | title="Moss growth on north walls" | doi=10.1000/wall.866
            cited: article | doi=10.1000/ref.1
            cited: article-journal | title="Lichens and moss" | authors=[Rook, B.] | year=2019 | container="Wall Ecol" | volume="2" | pages="3" | doi=10.1000/ref.2"#,
    );
}

#[test]
fn pages_that_are_not_one_article_yield_no_record() {
    // A table of contents, with an abstract per entry.
    check(
        "Journal of Walls: Table of Contents\n\nMoss growth on north walls\n\nABSTRACT\n\nMoss grows on walls.\n\nLichens on south walls\n\nABSTRACT\n\nLichens grow too.\n\nDOI: 10.1000/wall.1\n",
        "no document",
    );
    // A blog post with a title and a byline, and no sign of being an article.
    check(
        "What a moss garden taught me about patience\n\nAda Quill, Ben Rook\n\nI started the garden in spring, and it was slow.\n",
        "no document",
    );
    // A link to an article in a post about it: a DOI alone is not a record.
    check(
        "URL:https://example.org/doi/full/10.1000/wall.866\nIn the article titled \"Moss growth on north walls,\" the authors show that moss grows.\n",
        "no document",
    );
}

#[test]
fn masthead_lines_of_journals() {
    // A PDF's first lines: journal, volume, year, pages; the title under the masthead.
    check(
        "You are on page 1 of 9\n\nLake Science Reviews 94 (2009) 23–38\n\nContents lists available at a site\n\nIce cover on small lakes in a warmer world\n\n\nA.B. Quill a,b,⁎, C.D. Rook b\n",
        r#"article-journal | title="Ice cover on small lakes in a warmer world" | authors=[Quill, A.B.; Rook, C.D.] | year=2009 | container="Lake Science Reviews" | volume="94" | pages="23-38""#,
    );
    check(
        "Open access\n\nIce cover on small lakes in a warmer world\n\n  • Ada Quill 1 ,\n  • Ben Rook 2\n\nLake Studies volume 2 , Article number: 20 ( 2021 ) Cite this article\n",
        r#"article-journal | title="Ice cover on small lakes in a warmer world" | authors=[Quill, Ada; Rook, Ben] | year=2021 | container="Lake Studies" | volume="2" | pages="20""#,
    );
    check(
        "Skip to main content\n\nORIGINAL RESEARCH article\n\nFront. Lakes., 11 July 2022\nSec. Small Lakes\n\nIce cover on small lakes in a warmer world\n\n  • 1Department of Lakes, Some University, Town, Country\n",
        r#"article-journal | title="Ice cover on small lakes in a warmer world" | year=2022 | container="Front. Lakes.""#,
    );
}

#[test]
fn a_year_and_journal_line_under_the_title() {
    check(
        "Outline\n\nIce cover on small lakes: a survey of the evidence\n\n2010, Journal of Lake Studies\n\nAbstract\n\nA short summary.\n",
        r#"article-journal | title="Ice cover on small lakes: a survey of the evidence" | year=2010 | container="Journal of Lake Studies""#,
    );
}

#[test]
fn a_quoted_title_in_an_offered_citation() {
    // The authors run from the label to the quoted title, the first one family name first.
    check(
        "Ice cover on small lakes The faculty made this available. Citation Quill, Ada, and Ben Rook. “Ice Cover on Small Lakes in a Warmer World.” Journal of Lake Studies 114, no. 8 (2013): 084505. As Published http://dx.doi.org/10.1000/lake.4819 Other work you may like Lake Lett. 104, 1 (2014); 10.1000/lake.9999\n",
        r#"article-journal | title="Ice Cover on Small Lakes in a Warmer World" | authors=[Quill, Ada; Rook, Ben] | year=2013 | container="Journal of Lake Studies" | volume="114" | issue="8" | doi=10.1000/lake.4819 | abstract="Ice cover on small lakes The f""#,
    );
}

#[test]
fn a_record_embedded_as_json() {
    check(
        "Pub Date : 2021-12-17DOI: 10.1000/moss.7\nAda Quill, Ben Rook\n{\"title\":\"Moss growth on north walls\",\"authors\":\"Ada Quill, Ben Rook\",\"doi\":\"10.1000/moss.7\",\"url\":null}\n",
        r#"article | title="Moss growth on north walls" | authors=[Quill, Ada; Rook, Ben] | year=2021 | doi=10.1000/moss.7"#,
    );
}

// --- Further kinds (issue 8, second pass) -----------------------------------------------------

#[test]
fn jats_empty_elements_and_a_page_cut_inside_a_contributor() {
    // An empty `<article-title/>` does not borrow the related article's title; an empty
    // `<surname/>` is no author; the last `<contrib>` is cut before its closing tag.
    check(
        r#"<article><front><article-meta><article-id pub-id-type="doi">10.1000/soil.118</article-id>
<title-group><article-title>Gaps in what we know about soil loss on slopes</article-title></title-group>
<contrib-group><contrib contrib-type="author"><name><surname/><given-names>Nobody</given-names></name></contrib>
<contrib contrib-type="author"><name><surname>Quill</surname><given-names>Ada</given-names></name></contrib>
<contrib contrib-type="author"><name><surname>Rook</surname>
<given-names>Ben</given-names>
</name>"#,
        r#"article-journal | title="Gaps in what we know about soil loss on slopes" | authors=[Quill, Ada; Rook, Ben] | doi=10.1000/soil.118"#,
    );
    check(
        r#"<article><front><article-meta><title-group><article-title xml:lang="en"/></title-group>
<contrib-group><contrib contrib-type="author"><name><surname>Quill</surname></name></contrib></contrib-group>
<related-article><article-title>Another work on slopes</article-title></related-article></article-meta>"#,
        "no document",
    );
}

#[test]
fn tei_header_saved_as_text() {
    // An exploration server's chrome, then the TEI record, cut inside the DOI's closing tag.
    check(
        r#"Exploration server on rivers
This site is generated from raw corpora.

<record>
<TEI>
<teiHeader>
<fileDesc>
<titleStmt>
<title xml:lang="en">How gravel bars move after a flood</title>
<author>
<name sortKey="Quill, Ada B" first="Ada B." last="Quill">Ada B. Quill</name>
<affiliation>Department of Rivers, Some University</affiliation>
</author>
<author>
<persName><forename>Ben</forename><surname>Rook</surname></persName>
</author>
<author>
<name>Cy Moss</name>
</author>
</titleStmt>
<publicationStmt>
<idno type="pmid">12345678</idno>
<idno type="pmc">7654321</idno>
<idno type="doi">10.1000/river.2015.9<"#,
        r#"article | title="How gravel bars move after a flood" | authors=[Quill, Ada B.; Rook, Ben; Moss, Cy] | pmid="12345678" | pmcid="PMC7654321" | doi=10.1000/river.2015.9"#,
    );
    // A DOI cut before its `<` may be cut short: it is not read.
    check(
        "<teiHeader><fileDesc><titleStmt><title>How gravel bars move after a flood</title></titleStmt><idno type=\"doi\">10.1000/river.20",
        r#"article | title="How gravel bars move after a flood""#,
    );
}

#[test]
fn title_and_byline_flattened_onto_one_line() {
    // Text taken from a PDF: the title runs into the byline, the byline into the affiliation.
    check(
        "Received 3 May 2019 Accepted 1 June 2019 Published 5 July 2019\n\nFast growth of river weed in warm shallow water Ada Quill, Ben Tor Rook, Min-A Moss & Dee J. Lark School of Rivers, Some University, Town, Country.\n\nWe grew weed in tanks.\n",
        r#"article | title="Fast growth of river weed in warm shallow water" | authors=[Quill, Ada; Rook, Ben Tor; Moss, Min-A; Lark, Dee J.] | year=2019"#,
    );
    check(
        "1\n\nRiver weed in warm shallow water Ada B. Quill, Ben Rook, and Cy Moss  Abstract—We grew weed in tanks and measured it.\n",
        r#"article | title="River weed in warm shallow water" | authors=[Quill, Ada B.; Rook, Ben; Moss, Cy]"#,
    );
    // A title-case word before the names could be a given name: nothing is split.
    check(
        "Received 3 May 2019\n\nRiver Weed in Warm Shallow Water Ada Quill, Ben Rook and Cy Moss Department of Rivers, Some University, Town\n",
        "no document",
    );
    // Prose that names people goes on in lower case after the last name: not a byline.
    check(
        "Received 3 May 2019\n\nIn this study we followed Ada Quill, Ben Rook and Cy Moss in the field at Some University, Town\n",
        "no document",
    );
}

#[test]
fn an_upper_case_article_type_run_into_the_title() {
    check(
        "RESEARCH ARTICLE River weed in warm water: growth and shade\n\nAda Quill1☯, Ben Rook2*\n\n1 School of Rivers, Some University, Town, Country\n",
        r#"article | title="River weed in warm water: growth and shade" | authors=[Quill, Ada; Rook, Ben]"#,
    );
}

#[test]
fn a_citation_line_with_spaces_outranks_the_online_date() {
    // The issue's year is the one citations give; the online date is earlier.
    check(
        "Research article\nRiver weed in warm shallow water\n\nAda Quill1*, Ben Rook2\n\nWe grew weed. Front Riv Sci 2010; 8(4): 187–192, doi:10.1000/riv.0048 (published online 27 Oct 2009)\n",
        r#"article-journal | title="River weed in warm shallow water" | authors=[Quill, Ada; Rook, Ben] | year=2010 | container="Front Riv Sci" | short="Front Riv Sci" | volume="8" | issue="4" | pages="187-192" | doi=10.1000/riv.0048"#,
    );
}

#[test]
fn a_number_sign_masthead_with_its_year_broken_off() {
    // An aggregator page cut above its title: the year, then `Journal, № N, с. pages`.
    check(
        "2025,\nJournal of Small Rivers, № 22, с. 361-368\nВидавець\nSome Press\nАвтори\nAda Quill,\nBen Rook\nДетальна інформація\n",
        r#"article-journal | authors=[Quill, Ada; Rook, Ben] | year=2025 | container="Journal of Small Rivers" | publisher="Some Press""#,
    );
}

#[test]
fn records_printed_as_pipe_tables() {
    // A thesis record: label cells in another language, values on the next line or the same.
    check(
        "研究生: |\nAda Quill |\n---|---|\n論文名稱: |\nRiver weed in warm shallow water |\n論文出版年: | 2015 |\n",
        r#"article | title="River weed in warm shallow water" | authors=[Quill, Ada] | year=2015"#,
    );
    // A catalogue record: names lost (only commas left), the date inside a multi-line cell.
    check(
        "Main Authors: | , , |\nFormat: | Article |\nPublished: |\nSome Press\n2019-08-01\n|\nOnline Access: | https://doi.org/10.1000/riv.366 |\n",
        r#"article | year=2019 | doi=10.1000/riv.366"#,
    );
}

#[test]
fn a_list_of_search_results_with_a_doi_line_per_entry_is_not_one_article() {
    // Each result prints its DOI alone on a line; an article links its own DOI once.
    check(
        "Filter Icon Filter 1\nSort by: Relevance\n  • Research Article\n  • 10.1000/riv.2025.1\nRiver weed in warm shallow water\n  • Oct 28, 2025\n  • Journal of Small Rivers\n  • Ada Quill\n\n  • Research Article\n  • 10.1000/riv.2025.2\nLake ice in spring and what it hides\n  • Oct 24, 2025\n  • Journal of Small Rivers\n  • Ben Rook + 1 more\n\nABSTRACT We grew weed in tanks and measured it.\n",
        "no document",
    );
}

#[test]
fn a_repeated_title_broken_before_its_subtitle() {
    // A working paper's cover printed twice: the title's first line ends in a colon.
    check(
        "Page 1: Working Papers\n\nA Study of River Names:\n\nWhat Do They Tell Us?\n\nAda Quill1\n\n2016\n\nPage 2: Working Papers\n\nA Study of River Names:\n\nWhat Do They Tell Us?\n\nDOI: 10.1000/names.1016\n\nAbstract\n\nWe read the names of rivers.\n",
        r#"article | title="A Study of River Names: What Do They Tell Us?" | authors=[Quill, Ada] | year=2016 | doi=10.1000/names.1016"#,
    );
}

#[test]
fn a_title_printed_alone_and_once_more_with_its_subtitle() {
    // The short form twice (a share line, a cover), then the title over its subtitle line.
    check(
        "Rivers in towns and their banks\n\nN/A\n\nSome University of Technology\n\nRivers in towns and their banks\n\nA field study\n\nQuill, Ada; Rook, Ben\n\nDOI\n\n10.1000/riv.2016.06\n",
        r#"article | title="Rivers in towns and their banks: A field study" | authors=[Quill, Ada; Rook, Ben] | doi=10.1000/riv.2016.06"#,
    );
}

#[test]
fn an_author_above_a_title_in_capitals() {
    // The issue's masthead, the classification code, the author with initials, a degree line,
    // then the title in capitals over two lines and its English version.
    check(
        "Вісник малих річок № 4, 2019\n\nУДК 556.5\n\nА. Б. Іваненко,\n\nкандидат технічних наук, доцент кафедри гідрології\n\nРІЧКОВІ НАНОСИ У МАЛИХ МІСТАХ:\n\nПОЛЬОВЕ ДОСЛІДЖЕННЯ\n\nRIVER SEDIMENT IN SMALL TOWNS:\n\nA FIELD STUDY\n\nУ статті розглянуто наноси малих річок.\n",
        r#"article-journal | title="РІЧКОВІ НАНОСИ У МАЛИХ МІСТАХ: ПОЛЬОВЕ ДОСЛІДЖЕННЯ" | authors=[Іваненко, А. Б.] | year=2019 | container="Вісник малих річок""#,
    );
    // Capitals with no author above them are a heading, not a title.
    check("Новини кафедри\n\nРІЧКОВІ НАНОСИ У МАЛИХ МІСТАХ\n\nУ статті розглянуто наноси.\n", "no document");
}

#[test]
fn a_year_and_kind_line_above_the_title() {
    check(
        "2016 | OriginalPaper | Buchkapitel\n\nFlussufer in der Stadt: eine Feldstudie\n\nverfasst von : Ada Quill\n\nErschienen in: Handbuch der Flüsse\n",
        r#"article-journal | title="Flussufer in der Stadt: eine Feldstudie" | authors=[Quill, Ada] | year=2016 | container="Handbuch der Flüsse""#,
    );
}

#[test]
fn a_label_glued_to_the_value_before_it() {
    check(
        "Journal of Small RiversPub Date : 2025-10-04DOI: 10.1000/riv.2025.9\nAda Quill , Ben Rook\n{\"title\":\"River weed in warm shallow water\",\"authors\":\"Ada Quill , Ben Rook\",\"doi\":\"10.1000/riv.2025.9\"}\n",
        r#"article | title="River weed in warm shallow water" | authors=[Quill, Ada; Rook, Ben] | year=2025 | doi=10.1000/riv.2025.9"#,
    );
}

#[test]
fn a_one_word_title_above_the_doi_of_a_record() {
    check(
        "Overview\n\nhttps://doi.org/10.1000/book.1-1\n\nВидання: Small Rivers of the World, 2024, с. 1-37\n\nВидавець: Some Press\n\nАвтори: Ada Quill, Ben Rook\n",
        r#"article-journal | title="Overview" | authors=[Quill, Ada; Rook, Ben] | year=2024 | container="Small Rivers of the World" | publisher="Some Press" | doi=10.1000/book.1-1"#,
    );
}

#[test]
fn a_name_written_in_two_scripts() {
    check(
        "研究生: |\n林美 Lin, Mei |\n---|---|\n論文名稱: |\nRiver weed in warm shallow water |\n論文出版年: | 2015 |\n",
        r#"article | title="River weed in warm shallow water" | authors=[Lin, Mei] | year=2015"#,
    );
}

#[test]
fn a_title_under_the_doi_line_and_names_glued_together() {
    // The record opens with its DOI line; a journal line sits between title and byline, whose
    // names lost their separators.
    check(
        "DOI: 10.1000/riv.518Jan 11, 2019Paper\n\nSlow drift of river weed in still water\n\nJournal of Small Rivers and Their Banks\nAda QuillBen Rook\n\n\nWeed drifts slowly in still water.\n",
        r#"article | title="Slow drift of river weed in still water" | authors=[Quill, Ada; Rook, Ben] | doi=10.1000/riv.518"#,
    );
}

/// The byte-level word count of title tests agrees with the character-level one it replaced,
/// whitespace control characters and the cap included.
#[test]
fn word_count_over_bytes_agrees_with_characters() {
    let by_chars = |text: &str, cap: usize| {
        text.split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).take(cap).count()
    };
    for text in [
        "Soil carbon under grazing: a field study",
        "  two\tspaces\x0Bvertical\x0Cfeed\r\nand 1999 42 -- words  ",
        "",
        "1 2 3",
        "Ökologie der Städte im Wandel",
        &"word ".repeat(100),
    ] {
        for cap in [1, 3, 61, 1000] {
            assert_eq!(super::signals::count_words_with_letters(text, cap), by_chars(text, cap), "{text:?} cap {cap}");
        }
    }
}
