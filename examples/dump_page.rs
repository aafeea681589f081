//! Prints what the saved-page extractor reads from one file (a debugging aid).
use refls::corpus::FileId;
use refls::corpus::page;
use std::io::Write;
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(path).expect("read");
    let reading = page::read(FileId(0), &text);
    let mut out = std::io::stdout().lock();
    if let Some(doc) = &reading.document {
        writeln!(out, "type {:?}", doc.work_type).unwrap();
        writeln!(out, "title {:?}", doc.title.as_ref().map(|f| (&f.value, f.confidence))).unwrap();
        writeln!(
            out,
            "authors {:?} et_al {}",
            doc.authors.iter().map(|a| format!("{}/{}", a.value.family(), a.value.given())).collect::<Vec<_>>(),
            doc.et_al
        )
        .unwrap();
        writeln!(out, "corr {:?}", doc.rare().corresponding_author.as_ref().map(|f| &f.value)).unwrap();
        writeln!(out, "year {:?}", doc.year.as_ref().map(|f| f.value)).unwrap();
        writeln!(
            out,
            "container {:?} short {:?}",
            doc.container_title.as_ref().map(|f| &f.value),
            doc.extra().container_short.as_ref().map(|f| &f.value)
        )
        .unwrap();
        writeln!(
            out,
            "vol {:?} iss {:?} pages {:?}",
            doc.volume.as_ref().map(|f| &f.value),
            doc.issue.as_ref().map(|f| &f.value),
            doc.pages.as_ref().map(|f| &f.value)
        )
        .unwrap();
        writeln!(
            out,
            "doi {:?} pmid {:?} pmcid {:?}",
            doc.doi.as_ref().map(|f| f.value.to_string()),
            doc.rare().pmid.as_ref().map(|f| &f.value),
            doc.rare().pmcid.as_ref().map(|f| &f.value)
        )
        .unwrap();
        writeln!(
            out,
            "issn {:?} publisher {:?}",
            doc.extra().issn.iter().map(|f| &f.value).collect::<Vec<_>>(),
            doc.extra().publisher.as_ref().map(|f| &f.value)
        )
        .unwrap();
        writeln!(
            out,
            "abstract {:?}",
            doc.abstract_text.as_ref().and_then(|f| f.value.held()).map(|t| t.chars().take(80).collect::<String>())
        )
        .unwrap();
        writeln!(out, "keywords {:?}", doc.keywords.iter().map(|f| &f.value).collect::<Vec<_>>()).unwrap();
    } else {
        writeln!(out, "no document").unwrap();
    }
    for c in &reading.cited {
        writeln!(
            out,
            "  cited: {:?} | {:?} | {:?} | {:?} | {:?}",
            c.title.as_ref().map(|f| &f.value),
            c.authors.first().map(|a| a.value.family()),
            c.year.as_ref().map(|f| f.value),
            c.doi.as_ref().map(|f| f.value.to_string()),
            c.container_title.as_ref().map(|f| &f.value)
        )
        .unwrap();
    }
}
