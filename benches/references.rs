//! Benchmark of the requests over every manuscript of a workspace (issue 12): walking and
//! scanning a 1,000-manuscript workspace, find-references from a citation and from a `.bib`
//! entry, rename, and the code lens of the whole `.bib`, against a large bibliography.
//!
//! The bibliography and the manuscripts' text come from the shared generator:
//! `python3 ../shared/tools/gen_corpus.py --entries 100000 --citations 500 --no-csl --out /tmp/c100k`,
//! then `cargo bench --bench references -- /tmp/c100k`. The bench writes 1,000 manuscripts
//! (half Markdown, half LaTeX, from the generated `paper-500.md` and `paper-500.tex`, each cut
//! to its first 100 citations) into a temporary folder, with the cited keys spread over 5,000
//! of the entries so that each is cited about twenty times across the workspace.
//!
//! "with positions" adds what the LSP layer does after the analysis: read each manuscript that
//! holds a result and index its lines, to turn byte offsets into editor positions. Figures are
//! p50 and p99 over 200 requests (each on a different work), or medians where stated.

use std::io::Write;
use std::time::{Duration, Instant};

use refls::analysis::code_lens;
use refls::analysis::references::{self, Target, Workspace};
use refls::analysis::rename;
use refls::corpus::{Corpus, Input, Location, Origin};
use refls::manuscript::workspace::Manuscripts;
use refls::manuscript::{self, Dialect};

const MANUSCRIPTS: usize = 1_000;
const CITATIONS_PER_MANUSCRIPT: usize = 100;
const CITED_WORKS: usize = 5_000;
const REQUESTS: usize = 200;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn percentiles(mut times: Vec<Duration>) -> String {
    times.sort();
    let at = |p: f64| times[((times.len() as f64 * p).ceil() as usize).clamp(1, times.len()) - 1];
    format!("p50 {:.2} ms, p99 {:.2} ms", ms(at(0.50)), ms(at(0.99)))
}

fn median(mut times: Vec<Duration>) -> f64 {
    times.sort();
    ms(times[times.len() / 2])
}

/// The template cut after its `limit`-th citation, with each citation's key range.
fn template(dialect: Dialect, text: &str, limit: usize) -> (String, Vec<std::ops::Range<usize>>) {
    let citations = manuscript::scan(dialect, text);
    let keyed: Vec<_> = citations.into_iter().filter(|c| c.syntax != manuscript::Syntax::BareDoi).take(limit).collect();
    let end =
        keyed.last().map_or(text.len(), |c| text[c.range.end..].find('\n').map_or(text.len(), |i| c.range.end + i + 1));
    (text[..end].to_owned(), keyed.into_iter().map(|c| c.range).collect())
}

/// The template with its `j`-th key replaced by a key of the pool chosen from `(i, j)`.
fn manuscript_text(text: &str, ranges: &[std::ops::Range<usize>], pool: &[String], i: usize) -> String {
    let mut res = String::with_capacity(text.len());
    let mut at = 0;
    for (j, range) in ranges.iter().enumerate() {
        res.push_str(&text[at..range.start]);
        res.push_str(&pool[(i * 7_919 + j * 104_729) % pool.len()]);
        at = range.end;
    }
    res.push_str(&text[at..]);
    res
}

fn main() {
    let mut out = std::io::stdout().lock();
    let Some(dir) = std::env::args().skip(1).find(|a| !a.starts_with('-')) else {
        let _ = writeln!(out, "usage: cargo bench --bench references -- DIR (see the file's doc comment)");
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let bib_path = dir.join("refs.bib").display().to_string();
    let bib = std::fs::read_to_string(&bib_path).expect("read refs.bib");
    let started = Instant::now();
    let corpus =
        Corpus::build(vec![Input { path: bib_path.clone(), text: bib.clone(), origin: Origin::Workspace }], Vec::new());
    let _ = writeln!(
        out,
        "corpus: {} records from refs.bib, built in {:.0} ms",
        corpus.records.len(),
        ms(started.elapsed())
    );

    // Every 20th key of the bibliography, in file order.
    let keys: Vec<String> = corpus.records.iter().filter_map(|r| r.given_key.as_deref().map(str::to_owned)).collect();
    let step = (keys.len() / CITED_WORKS).max(1);
    let pool: Vec<String> = keys.iter().step_by(step).take(CITED_WORKS).cloned().collect();

    let workspace_dir = tempfile::tempdir().expect("temporary folder");
    let md = std::fs::read_to_string(dir.join("paper-500.md")).expect("paper-500.md");
    let tex = std::fs::read_to_string(dir.join("paper-500.tex")).expect("paper-500.tex");
    let md = template(Dialect::Markdown, &md, CITATIONS_PER_MANUSCRIPT);
    let tex = template(Dialect::Latex, &tex, CITATIONS_PER_MANUSCRIPT);
    for i in 0..MANUSCRIPTS {
        let sub = workspace_dir.path().join(format!("part-{:02}", i % 20));
        std::fs::create_dir_all(&sub).expect("folder");
        let ((text, ranges), extension) = if i % 2 == 0 { (&md, "md") } else { (&tex, "tex") };
        std::fs::write(sub.join(format!("chapter-{i:04}.{extension}")), manuscript_text(text, ranges, &pool, i))
            .expect("write a manuscript");
    }

    let mut times = Vec::new();
    let mut set = Manuscripts::default();
    for _ in 0..3 {
        let start = Instant::now();
        set = Manuscripts::walk(workspace_dir.path());
        times.push(start.elapsed());
    }
    let citations: usize = set.files().map(|f| f.citation_count()).sum();
    let _ = writeln!(
        out,
        "workspace: {} manuscripts, {citations} citations; walked and scanned in {:.0} ms (median of 3)",
        set.len(),
        median(times)
    );
    let workspace = Workspace::new(set.files().map(|f| &**f));
    let files: Vec<_> = set.files().cloned().collect();

    // References from a citation: the cursor on citation j of manuscript i.
    let mut plain = Vec::new();
    let mut positioned = Vec::new();
    let mut hits = 0;
    for n in 0..REQUESTS {
        let file = &files[(n * 37) % files.len()];
        let (_, range) = file.citations().nth((n * 13) % file.citation_count()).expect("a citation");
        let start = Instant::now();
        let (target, _) = references::target_at(&corpus, &workspace, &file.path, range.start).expect("a citation");
        let found = references::references(&corpus, &workspace, &target);
        plain.push(start.elapsed());
        // What the LSP layer adds: read each file with a result and find its line starts.
        for file in &found {
            let text = std::fs::read_to_string(&file.path).expect("read a manuscript");
            let lines = text.bytes().filter(|&b| b == b'\n').count();
            hits += file.ranges.len() + usize::from(lines == usize::MAX);
        }
        positioned.push(start.elapsed());
    }
    let _ = writeln!(
        out,
        "references from a citation: {} ({} locations per request on average)",
        percentiles(plain),
        hits / REQUESTS
    );
    let _ = writeln!(out, "references from a citation, with positions: {}", percentiles(positioned));

    // References from the entry of a cited work in the `.bib`.
    let mut times = Vec::new();
    for n in 0..REQUESTS {
        let key = &pool[(n * 23) % pool.len()];
        let refls::corpus::Resolution::One(id) = corpus.index.resolve(key) else { panic!("{key}") };
        let offset = corpus.record(id).anchor().range.start as usize + 12;
        let start = Instant::now();
        let work = references::work_at(&corpus, &bib_path, offset).expect("an entry");
        let found = references::references(&corpus, &workspace, &Target::Work(work));
        times.push(start.elapsed());
        assert!(!found.is_empty(), "{key} is cited");
    }
    let _ = writeln!(out, "references from a .bib entry: {}", percentiles(times));

    // Rename: prepare and rename a cited key.
    // As the server reads an entry: from its line, only its stretch of the file.
    let read = |at: &Location| {
        use std::io::{Read, Seek, SeekFrom};
        let (_, line_start) = corpus.file(at.file).anchor_line(at.range.start)?;
        let mut file = std::fs::File::open(&corpus.file(at.file).path).ok()?;
        file.seek(SeekFrom::Start(u64::from(line_start))).ok()?;
        let mut bytes = vec![0; (at.range.end - line_start) as usize];
        file.read_exact(&mut bytes).ok()?;
        Some((line_start as usize, String::from_utf8_lossy(&bytes).into_owned()))
    };
    let mut times = Vec::new();
    for n in 0..REQUESTS {
        let file = &files[(n * 41) % files.len()];
        let (_, range) = file.citations().nth((n * 7) % file.citation_count()).expect("a citation");
        let start = Instant::now();
        let prepared = rename::prepare(&corpus, &workspace, &file.path, range.start, &read);
        let edits = rename::rename(&corpus, &workspace, &file.path, range.start, &format!("renamed{n}x"), &read);
        times.push(start.elapsed());
        assert!(matches!(prepared, Ok(Some(_))) && matches!(edits, Ok(Some(_))), "{prepared:?} {edits:?}");
    }
    let _ = writeln!(out, "prepareRename + rename: {}", percentiles(times));

    // The code lens of the whole `.bib`: one lens per entry.
    let mut times = Vec::new();
    let mut lenses = 0;
    for _ in 0..5 {
        let start = Instant::now();
        lenses = code_lens::code_lens(&corpus, &workspace, &bib_path).len();
        times.push(start.elapsed());
    }
    let _ = writeln!(out, "code lens of refs.bib: {lenses} lenses in {:.0} ms (median of 5)", median(times));
}
