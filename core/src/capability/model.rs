//! The model axis: [`ModelCapability`].
//!
//! A model `<id>` writes `model.<id>` (presence), and when known
//! `model.<id>.family=<family>` and `model.<id>.context_length=<n>`.
//! Ids may contain dots (`llama-3.1-70b`); they may not contain `=` or
//! end in `.family` / `.context_length`.

use serde::{Deserialize, Serialize};

use super::tag::{Tag, TaxonomyAxis};

/// Suffix of the family tag of a model.
pub(crate) const FAMILY_SUFFIX: &str = ".family";
/// Suffix of the context-length tag of a model.
pub(crate) const CONTEXT_SUFFIX: &str = ".context_length";

/// A model a node serves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelCapability {
    /// Its id (`llama-3.1-70b`).
    pub model_id: String,
    /// Its family (`llama`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<String>,
    /// Its context window, tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_length: Option<u64>,
}

impl ModelCapability {
    /// The model `model_id`, nothing else known.
    pub fn new(model_id: impl Into<String>) -> Self {
        Self { model_id: model_id.into(), family: None, context_length: None }
    }

    /// Set the family.
    pub fn with_family(mut self, family: impl Into<String>) -> Self {
        self.family = Some(family.into());
        self
    }

    /// Set the context length.
    pub fn with_context_length(mut self, tokens: u64) -> Self {
        self.context_length = Some(tokens);
        self
    }

    /// The `model.*` tags of this model.
    pub fn to_tags(&self) -> Vec<Tag> {
        let m = TaxonomyAxis::Model;
        let id = &self.model_id;
        let mut out = vec![Tag::flag(m, id)];
        if let Some(f) = &self.family {
            out.push(Tag::axis_value(m, &format!("{id}{FAMILY_SUFFIX}"), f));
        }
        if let Some(n) = self.context_length {
            out.push(Tag::axis_value(m, &format!("{id}{CONTEXT_SUFFIX}"), n));
        }
        out
    }

    /// Decode every model of `tags`, in order of first mention.
    pub fn from_tags(tags: &[Tag]) -> Vec<ModelCapability> {
        let mut out: Vec<ModelCapability> = Vec::new();
        let slot = |id: &str, out: &mut Vec<ModelCapability>| -> usize {
            match out.iter().position(|m| m.model_id == id) {
                Some(i) => i,
                None => {
                    out.push(ModelCapability::new(id));
                    out.len() - 1
                }
            }
        };
        for t in tags.iter().filter(|t| t.axis() == Some(TaxonomyAxis::Model)) {
            let key = t.key_name();
            if key.is_empty() {
                continue;
            }
            match t.value() {
                None => {
                    slot(key, &mut out);
                }
                Some(v) => {
                    if let Some(id) = key.strip_suffix(FAMILY_SUFFIX) {
                        let i = slot(id, &mut out);
                        out[i].family.get_or_insert_with(|| v.to_owned());
                    } else if let Some(id) = key.strip_suffix(CONTEXT_SUFFIX) {
                        let i = slot(id, &mut out);
                        if out[i].context_length.is_none() {
                            out[i].context_length = v.parse().ok();
                        }
                    }
                }
            }
        }
        out
    }
}
