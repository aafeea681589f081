//! Workspace symbols, document symbols, semantic tokens and prose-citation diagnostics in
//! protocol terms: the legend, and the conversions from the analysis results.
//!
//! The semantic-token legend is custom, so that themes can tell citations apart from the rest
//! of the text: one type, `citation`, with one of the modifiers `known`, `unknown`,
//! `ambiguous`, and `prose` on author–year citations written as prose (README, "Semantic
//! tokens", lists it for theme authors).

use tower_lsp::lsp_types::{
    Diagnostic, DocumentSymbol, NumberOrString, SemanticTokenModifier, SemanticTokenType, SemanticTokens,
    SemanticTokensFullOptions, SemanticTokensLegend, SemanticTokensOptions, SemanticTokensServerCapabilities,
    SymbolInformation, SymbolKind,
};

use super::convert::{self, PositionEncoding};
use super::state::DocumentSnapshot;
use crate::analysis::completion::CitedWorks;
use crate::analysis::{Manuscript, document_symbols, prose_citations, semantic_tokens, workspace_symbols};
use crate::corpus::Corpus;

/// How many works `workspace/symbol` returns: editors show a short list and ask again as the
/// query grows.
pub const WORKSPACE_SYMBOL_LIMIT: usize = 100;

const TOKEN_TYPES: &[&str] = &["citation"];
/// Bit `i` of a token's modifiers is `TOKEN_MODIFIERS[i]`.
const TOKEN_MODIFIERS: &[&str] = &["known", "unknown", "ambiguous", "prose"];

pub fn semantic_tokens_capability() -> SemanticTokensServerCapabilities {
    SemanticTokensServerCapabilities::SemanticTokensOptions(SemanticTokensOptions {
        legend: SemanticTokensLegend {
            token_types: TOKEN_TYPES.iter().map(|t| SemanticTokenType::new(t)).collect(),
            token_modifiers: TOKEN_MODIFIERS.iter().map(|m| SemanticTokenModifier::new(m)).collect(),
        },
        range: Some(true),
        full: Some(SemanticTokensFullOptions::Bool(true)),
        work_done_progress_options: Default::default(),
    })
}

/// Whether `uri` is a bibliography file: its DOIs are fields, not citations, so it gets no
/// semantic tokens.
pub fn is_bibliography(uri: &tower_lsp::lsp_types::Url) -> bool {
    crate::corpus::SourceKind::from_path(uri.path()).is_bibliography()
}

/// `workspace/symbol`: the works matching the query, located at their sources.
#[allow(deprecated)] // `SymbolInformation::deprecated` must still be written.
pub fn to_proto_workspace_symbols(
    corpus: &Corpus,
    cited: &CitedWorks,
    query: &str,
    encoding: PositionEncoding,
) -> Vec<SymbolInformation> {
    workspace_symbols::workspace_symbols(corpus, cited, query, WORKSPACE_SYMBOL_LIMIT)
        .into_iter()
        .filter_map(|symbol| {
            Some(SymbolInformation {
                name: symbol.name,
                kind: SymbolKind::KEY,
                tags: None,
                deprecated: None,
                location: super::to_proto_location(corpus, &symbol.location, encoding)?,
                container_name: Some(symbol.detail),
            })
        })
        .collect()
}

/// `textDocument/documentSymbol` of an open bibliography at `path`.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must still be written.
pub fn to_proto_document_symbols(snapshot: &DocumentSnapshot, path: &str) -> Vec<DocumentSymbol> {
    document_symbols::document_symbols(&snapshot.corpus, path, &snapshot.text)
        .into_iter()
        .map(|symbol| DocumentSymbol {
            name: symbol.name,
            detail: (!symbol.detail.is_empty()).then_some(symbol.detail),
            kind: SymbolKind::KEY,
            tags: None,
            deprecated: None,
            range: convert::rope_range(&snapshot.rope, symbol.range, snapshot.encoding),
            selection_range: convert::rope_range(&snapshot.rope, symbol.selection, snapshot.encoding),
            children: None,
        })
        .collect()
}

/// `textDocument/semanticTokens/full` and `/range` (`within`, in bytes).
pub fn to_proto_semantic_tokens(
    snapshot: &DocumentSnapshot,
    manuscript: &Manuscript,
    within: Option<std::ops::Range<usize>>,
) -> SemanticTokens {
    let found = semantic_tokens::semantic_tokens(&snapshot.corpus, manuscript, within);
    let tokens = found.into_iter().map(|token| {
        let status = match token.status {
            semantic_tokens::Status::Known => 1,
            semantic_tokens::Status::Unknown => 1 << 1,
            semantic_tokens::Status::Ambiguous => 1 << 2,
        };
        let prose = if token.prose { 1 << 3 } else { 0 };
        (token.range, 0, status | prose)
    });
    SemanticTokens {
        result_id: None,
        data: convert::semantic_tokens(&snapshot.rope, &snapshot.text, tokens, snapshot.encoding),
    }
}

/// The prose-citation diagnostics of a manuscript. `data` holds what a quick fix needs:
/// `{"key": …}`, the key that cites the work, and for `prose-citation-year` `"year"`, the
/// year that replaces the diagnostic's range.
pub fn prose_diagnostics(snapshot: &DocumentSnapshot, manuscript: &Manuscript) -> Vec<Diagnostic> {
    prose_citations::diagnostics(&snapshot.corpus, manuscript)
        .into_iter()
        .map(|found| {
            let d = found.diagnostic;
            let data = found.cite.map(|key| serde_json::json!({ "key": key, "year": found.year }));
            Diagnostic {
                range: convert::rope_range(&snapshot.rope, d.range, snapshot.encoding),
                severity: Some(super::to_proto_severity(d.severity)),
                code: Some(NumberOrString::String(d.code.to_owned())),
                source: Some("refls".to_owned()),
                message: d.message,
                data,
                ..Diagnostic::default()
            }
        })
        .collect()
}
