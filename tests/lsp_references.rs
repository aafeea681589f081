//! In-process tests of the requests over every manuscript of the workspace: find references
//! from a citation and from a bibliography entry (manuscripts open or only on disk), rename
//! as one `WorkspaceEdit` (and its refusals as errors the editor shows), and the code lens on
//! a `.bib`.

mod common;

use common::TestClient;
use serde_json::{Value, json};

const BIB: &str = "@article{quill2020, author = {Quill, Ada}, title = {Counting sparrows}, year = {2020}, doi = {10.1000/sparrow.1}}\n\
@article{wren2019, author = {Wren, Jo}, title = {Garden birds}, year = {2019}}\n";
const PAPER: &str = "# Birds\n\nSparrows [@quill2020; @wren2019] and [@doi:10.1000/sparrow.1].\nUnknown [@nobody].\n";
const CHAPTER: &str = "\\section{Counts}\nAs \\textcite{quill2020} counted.\n";

struct Workspace {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
}

impl Workspace {
    fn uri(&self, name: &str) -> String {
        format!("file://{}", self.root.join(name).display())
    }
}

async fn start() -> (TestClient, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("refs.bib"), BIB).unwrap();
    std::fs::write(root.join("paper.md"), PAPER).unwrap();
    std::fs::create_dir(root.join("chapters")).unwrap();
    std::fs::write(root.join("chapters/counts.tex"), CHAPTER).unwrap();
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client
        .initialize_with(json!({
            "rootUri": format!("file://{}", root.display()),
            "capabilities": {},
            "initializationOptions": {"corpus": ["refs.bib"]},
        }))
        .await;
    let workspace = Workspace { _dir: dir, root };
    (client, workspace)
}

async fn open(client: &mut TestClient, uri: &str, language: &str, text: &str) {
    client
        .notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        )
        .await;
}

fn at(uri: &str, line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}})
}

/// `name:line:start-end` of each location, sorted, with the workspace root removed.
fn shown(workspace: &Workspace, locations: &Value) -> Vec<String> {
    let prefix = workspace.uri("");
    let mut res: Vec<String> = locations
        .as_array()
        .unwrap_or_else(|| panic!("locations: {locations}"))
        .iter()
        .map(|l| {
            let range = &l["range"];
            format!(
                "{}:{}:{}-{}",
                l["uri"].as_str().unwrap().trim_start_matches(&prefix),
                range["start"]["line"],
                range["start"]["character"],
                range["end"]["character"]
            )
        })
        .collect();
    res.sort();
    res
}

#[tokio::test]
async fn references_from_a_citation_and_from_an_entry_reach_unopened_manuscripts() {
    let (mut client, workspace) = start().await;
    let paper = workspace.uri("paper.md");
    open(&mut client, &paper, "markdown", PAPER).await;

    // On `quill2020` in the open paper: its two citations there (key and `doi:` key) and the
    // one in the chapter, which is only on disk.
    let mut params = at(&paper, 2, 13);
    params["context"] = json!({"includeDeclaration": false});
    let found = client.request("textDocument/references", params.clone()).await;
    assert_eq!(shown(&workspace, &found), ["chapters/counts.tex:1:13-22", "paper.md:2:11-20", "paper.md:2:39-60"]);
    // With the declaration, the entry in the `.bib` too.
    params["context"] = json!({"includeDeclaration": true});
    let found = client.request("textDocument/references", params).await;
    assert_eq!(shown(&workspace, &found).len(), 4);
    assert!(shown(&workspace, &found).contains(&"refs.bib:0:0-113".to_owned()), "{found}");

    // An unknown key finds itself.
    let mut params = at(&paper, 3, 11);
    params["context"] = json!({"includeDeclaration": true});
    let found = client.request("textDocument/references", params).await;
    assert_eq!(shown(&workspace, &found), ["paper.md:3:10-16"]);

    // From the entry of `wren2019` in the `.bib`, opened in the editor.
    let bib = workspace.uri("refs.bib");
    open(&mut client, &bib, "bibtex", BIB).await;
    let mut params = at(&bib, 1, 30);
    params["context"] = json!({"includeDeclaration": false});
    let found = client.request("textDocument/references", params).await;
    assert_eq!(shown(&workspace, &found), ["paper.md:2:23-31"]);

    // The chapter changes on disk without a watcher event yet: the offsets read from the old
    // text must not be used on the new one.
    std::fs::write(workspace.root.join("chapters/counts.tex"), format!("% moved down\n{CHAPTER}")).unwrap();
    let mut params = at(&paper, 2, 13);
    params["context"] = json!({"includeDeclaration": false});
    let found = client.request("textDocument/references", params).await;
    assert!(shown(&workspace, &found).contains(&"chapters/counts.tex:2:13-22".to_owned()), "{found}");
    client.shutdown().await;
}

#[tokio::test]
async fn rename_edits_every_manuscript_and_the_entry_or_says_why_not() {
    let (mut client, workspace) = start().await;
    let paper = workspace.uri("paper.md");
    open(&mut client, &paper, "markdown", PAPER).await;

    let prepared = client.request("textDocument/prepareRename", at(&paper, 2, 13)).await;
    assert_eq!(
        prepared,
        json!({"range": {"start": {"line": 2, "character": 11}, "end": {"line": 2, "character": 20}}, "placeholder": "quill2020"})
    );
    let mut params = at(&paper, 2, 13);
    params["newName"] = json!("quill2020sparrows");
    let edit = client.request("textDocument/rename", params).await;
    let changes = edit["changes"].as_object().unwrap_or_else(|| panic!("{edit}"));
    let mut summary: Vec<String> = changes
        .iter()
        .flat_map(|(uri, edits)| {
            let name = uri.trim_start_matches(&workspace.uri("")).to_owned();
            edits.as_array().unwrap().iter().map(move |e| {
                let r = &e["range"];
                format!(
                    "{name}:{}:{}-{} {}",
                    r["start"]["line"], r["start"]["character"], r["end"]["character"], e["newText"]
                )
            })
        })
        .collect();
    summary.sort();
    assert_eq!(
        summary,
        [
            "chapters/counts.tex:1:13-22 \"quill2020sparrows\"",
            "paper.md:2:11-20 \"quill2020sparrows\"",
            "refs.bib:0:9-18 \"quill2020sparrows\"",
        ]
    );
    // refls wrote nothing: the editor applies the edit.
    assert_eq!(std::fs::read_to_string(workspace.root.join("refs.bib")).unwrap(), BIB);

    // Refusals are errors with a message the editor shows.
    let refused = client.request_response("textDocument/prepareRename", at(&paper, 2, 45)).await;
    let message = refused["error"]["message"].as_str().unwrap_or_else(|| panic!("{refused}"));
    assert!(message.contains("is an identifier"), "{message}");
    let mut params = at(&paper, 2, 13);
    params["newName"] = json!("wren2019");
    let refused = client.request_response("textDocument/rename", params).await;
    let message = refused["error"]["message"].as_str().unwrap_or_else(|| panic!("{refused}"));
    assert!(message.contains("`wren2019` is already a name of"), "{message}");
    // Outside a citation there is nothing to rename.
    assert_eq!(client.request("textDocument/prepareRename", at(&paper, 0, 2)).await, Value::Null);
    client.shutdown().await;
}

#[tokio::test]
async fn code_lens_counts_citations_on_each_entry() {
    let (mut client, workspace) = start().await;
    let bib = workspace.uri("refs.bib");
    open(&mut client, &bib, "bibtex", BIB).await;
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": bib}})).await;
    let lenses = lenses.as_array().unwrap_or_else(|| panic!("{lenses}"));
    let shown: Vec<(u64, &str)> = lenses
        .iter()
        .map(|l| (l["range"]["start"]["line"].as_u64().unwrap(), l["command"]["title"].as_str().unwrap()))
        .collect();
    assert_eq!(shown, [(0, "cited 3× in 2 manuscripts"), (1, "cited 1× in 1 manuscript")]);
    let command = &lenses[0]["command"];
    assert_eq!(command["command"], "refls.showReferences");
    assert_eq!(command["arguments"], json!([bib, {"line": 0, "character": 0}]));
    // Clients that do not map the command ask the server, which answers the locations.
    let found = client
        .request(
            "workspace/executeCommand",
            json!({"command": "refls.showReferences", "arguments": command["arguments"]}),
        )
        .await;
    assert_eq!(found.as_array().map(Vec::len), Some(3), "{found}");
    client.shutdown().await;
}

/// The VS Code case: no `corpus` setting, the `.bib` is only declared by a manuscript's front
/// matter (so it joins the corpus when that manuscript opens, after the embedded pages), and a
/// second manuscript on disk cites the same entry. The lens counts both manuscripts.
#[tokio::test]
async fn code_lens_on_a_bibliography_a_manuscript_declares() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let review = "---\nbibliography: refs.bib\n---\nHedges [@moss2021hedges] and a page [@ikhile2023virtuous].\n";
    let chapter = "# Two\n\nAgain [@moss2021hedges], and [@moss2021hedges, p. 2].\n";
    let bib = "@article{moss2021hedges, author = {Moss, Ida}, title = {Hedgerows at field edges}, year = {2021}}\n";
    std::fs::write(root.join("refs.bib"), bib).unwrap();
    std::fs::write(root.join("review.md"), review).unwrap();
    std::fs::write(root.join("chapter.md"), chapter).unwrap();
    let (service, socket) = refls::lsp::service();
    let mut client = TestClient::start(service, socket);
    client.initialize_with(json!({"rootUri": format!("file://{}", root.display()), "capabilities": {}})).await;
    let workspace = Workspace { _dir: dir, root };
    open(&mut client, &workspace.uri("review.md"), "markdown", review).await;
    let bib_uri = workspace.uri("refs.bib");
    // VS Code has no BibTeX language of its own: the `.bib` arrives as plain text.
    open(&mut client, &bib_uri, "plaintext", bib).await;
    let lenses = client.request("textDocument/codeLens", json!({"textDocument": {"uri": bib_uri}})).await;
    let titles: Vec<&str> = lenses
        .as_array()
        .unwrap_or_else(|| panic!("{lenses}"))
        .iter()
        .map(|l| l["command"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["cited 3× in 2 manuscripts"], "{lenses}");
    client.shutdown().await;
}
