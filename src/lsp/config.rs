//! Server settings: from `refls.toml` at the workspace root, overridden by the client's
//! `initializationOptions` and `workspace/didChangeConfiguration` (same keys, optionally
//! nested under `refls`). Every key is documented in the README.

use serde::{Deserialize, Serialize};

/// Settings, with defaults for everything.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Config {
    /// Corpus paths or globs, relative to the workspace root. Empty: `seeds/` under the root
    /// if it exists, else the seeds embedded in the binary.
    pub corpus: Vec<String>,
    /// Most completion items returned at once (the list is marked incomplete beyond).
    pub completion_limit: usize,
    /// Quiet time after the last edit before diagnostics are computed, in milliseconds.
    /// `None` (the default): adaptive, see `Backend::diagnostics_delay`.
    pub diagnostics_delay_ms: Option<u64>,
    /// Folders outside the workspace that declared bibliographies and corpus paths may come
    /// from. Taken only from the client's settings: a `refls.toml` travels with a project and
    /// must not widen what the project's manuscripts can make refls read.
    pub trusted_paths: Vec<String>,
    /// Which citations get an "Author et al. Year" inlay hint.
    pub inlay_hints: InlayHints,
}

/// The `inlayHints` setting: `"off"`, `"opaque"` (keys that do not read as author and year;
/// see `analysis::inlay_hint`) or `"all"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InlayHints {
    Off,
    #[default]
    Opaque,
    All,
}

impl InlayHints {
    pub fn mode(self) -> crate::analysis::inlay_hint::Mode {
        use crate::analysis::inlay_hint::Mode;
        match self {
            InlayHints::Off => Mode::Off,
            InlayHints::Opaque => Mode::Opaque,
            InlayHints::All => Mode::All,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            corpus: Vec::new(),
            completion_limit: 50,
            diagnostics_delay_ms: None,
            trusted_paths: Vec::new(),
            inlay_hints: InlayHints::default(),
        }
    }
}

impl Config {
    /// Reads settings from JSON, accepting `{ "refls": { … } }` or the keys at top level.
    /// Unknown keys are ignored; a malformed value keeps the defaults and is reported.
    pub fn from_json(value: &serde_json::Value) -> Result<Config, String> {
        let inner = value.get("refls").unwrap_or(value);
        if inner.is_null() {
            return Ok(Config::default());
        }
        serde_json::from_value(inner.clone()).map_err(|e| e.to_string())
    }

    /// These settings with the keys present in `value` replaced: what
    /// `workspace/didChangeConfiguration` means. An empty or null payload (eglot sends
    /// `{"settings": {}}` right after start-up) changes nothing.
    pub fn merged(&self, value: &serde_json::Value) -> Result<Config, String> {
        let inner = value.get("refls").unwrap_or(value);
        let Some(changes) = inner.as_object() else { return Ok(self.clone()) };
        let mut base = serde_json::to_value(self).map_err(|e| e.to_string())?;
        if let Some(base) = base.as_object_mut() {
            for (key, change) in changes {
                if !change.is_null() {
                    base.insert(key.clone(), change.clone());
                }
            }
        }
        serde_json::from_value(base).map_err(|e| e.to_string())
    }

    /// Reads `refls.toml`. `trustedPaths` there is ignored (see the field).
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let mut config: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        if !config.trusted_paths.is_empty() {
            tracing::warn!("refls.toml: `trustedPaths` is read only from the editor's settings; ignored");
            config.trusted_paths.clear();
        }
        Ok(config)
    }

    /// The corpus entries and trusted folders that `value` (client settings) names: the user's
    /// own choices, allowed even outside the workspace.
    pub fn client_trusted(value: &serde_json::Value) -> Vec<String> {
        let inner = value.get("refls").unwrap_or(value);
        let mut res = Vec::new();
        for key in ["corpus", "trustedPaths"] {
            if let Some(list) = inner.get(key).and_then(|v| v.as_array()) {
                res.extend(
                    list.iter().filter_map(|v| v.as_str()).filter(|s| !s.contains(['*', '?', '['])).map(str::to_owned),
                );
            }
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_of_settings() {
        let from_toml = Config::from_toml("corpus = [\"library\", \"refs/*.bib\"]\ncompletionLimit = 20\n").unwrap();
        assert_eq!(from_toml.corpus, ["library", "refs/*.bib"]);
        assert_eq!(from_toml.completion_limit, 20);
        let nested = Config::from_json(&serde_json::json!({"refls": {"corpus": ["x"]}})).unwrap();
        assert_eq!(nested.corpus, ["x"]);
        assert_eq!(nested.diagnostics_delay_ms, None, "adaptive unless set");
        let fixed = Config::from_toml("diagnosticsDelayMs = 300\n").unwrap();
        assert_eq!(fixed.diagnostics_delay_ms, Some(300));
        assert!(Config::from_json(&serde_json::json!({"corpus": 3})).is_err());
        assert_eq!(Config::from_json(&serde_json::Value::Null).unwrap(), Config::default());
        let toml = Config::from_toml("trustedPaths = [\"/\"]\n").unwrap();
        assert!(toml.trusted_paths.is_empty(), "a project cannot trust folders for itself");
        let client = serde_json::json!({"refls": {"corpus": ["/home/me/Zotero", "*.bib"], "trustedPaths": ["/lib"]}});
        assert_eq!(Config::client_trusted(&client), ["/home/me/Zotero", "/lib"]);
    }

    #[test]
    fn configuration_changes_merge_over_current_settings() {
        let current = Config { corpus: vec!["library".into()], completion_limit: 1, ..Config::default() };
        assert_eq!(current.merged(&serde_json::json!({})).unwrap(), current);
        assert_eq!(current.merged(&serde_json::Value::Null).unwrap(), current);
        let changed = current.merged(&serde_json::json!({"refls": {"completionLimit": 7}})).unwrap();
        assert_eq!((changed.corpus.as_slice(), changed.completion_limit), (["library".to_owned()].as_slice(), 7));
        assert!(current.merged(&serde_json::json!({"completionLimit": "many"})).is_err());
    }

    #[test]
    fn inlay_hints_setting() {
        assert_eq!(Config::default().inlay_hints, InlayHints::Opaque);
        assert_eq!(Config::from_toml("inlayHints = \"all\"\n").unwrap().inlay_hints, InlayHints::All);
        let off = Config::default().merged(&serde_json::json!({"refls": {"inlayHints": "off"}})).unwrap();
        assert_eq!(off.inlay_hints, InlayHints::Off);
        assert!(Config::from_json(&serde_json::json!({"inlayHints": "some"})).is_err());
    }
}
