//! [`CapabilitySet`]: what a node can do, in the `{tags, metadata}` wire shape.
//!
//! JSON: `{"tags": ["gpu", "hardware.memory_gb=64", ...], "metadata": {"k": "v"}}`
//! — tags in insertion order (each once), metadata sorted by key. Input
//! JSON may instead (or as well) use the typed sections the SDK examples
//! use — `hardware`, `software`, `models` — which become tags; see
//! [`CapabilitySet::from_json`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use super::hardware::HardwareCapabilities;
use super::model::{ModelCapability, CONTEXT_SUFFIX, FAMILY_SUFFIX};
use super::software::SoftwareCapabilities;
use super::tag::{Tag, TaxonomyAxis};
use super::views::CapabilityViews;
use super::CapabilityError;

/// A node's capabilities: tags (typed taxonomy tags and free tags) and
/// string metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CapabilitySet {
    tags: Vec<Tag>,
    metadata: BTreeMap<String, String>,
}

impl CapabilitySet {
    /// The empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// A set of these tags (duplicates kept once) and metadata.
    pub fn from_parts(tags: impl IntoIterator<Item = Tag>, metadata: BTreeMap<String, String>) -> Self {
        let mut set = Self { tags: Vec::new(), metadata };
        for t in tags {
            set.insert_tag(t);
        }
        set
    }

    /// No tags and no metadata.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty() && self.metadata.is_empty()
    }

    /// The tags, in insertion order.
    pub fn tags(&self) -> &[Tag] {
        &self.tags
    }

    /// The metadata, sorted by key.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// Whether the exact tag `text` is present.
    pub fn has_tag(&self, text: &str) -> bool {
        self.tags.iter().any(|t| t.as_str() == text)
    }

    /// Add a tag (no-op when present). Returns whether it was added.
    pub fn insert_tag(&mut self, tag: impl Into<Tag>) -> bool {
        let tag = tag.into();
        if self.tags.contains(&tag) {
            return false;
        }
        self.tags.push(tag);
        true
    }

    /// Remove the exact tag `text`. Returns whether it was present.
    pub fn remove_tag(&mut self, text: &str) -> bool {
        let before = self.tags.len();
        self.tags.retain(|t| t.as_str() != text);
        before != self.tags.len()
    }

    /// Builder: add a tag (free or typed; once).
    pub fn add_tag(mut self, tag: impl Into<Tag>) -> Self {
        self.insert_tag(tag);
        self
    }

    /// Builder: add a presence tag `<axis>.<key>` (TS `requireTag`).
    pub fn require_tag(self, axis: TaxonomyAxis, key: &str) -> Self {
        self.add_tag(Tag::flag(axis, key))
    }

    /// Builder: set `<axis>.<key>=<value>`, replacing earlier values of
    /// that path (TS `requireAxisValue`).
    pub fn require_axis_value(mut self, axis: TaxonomyAxis, key: &str, value: &str) -> Self {
        let tag = Tag::axis_value(axis, key, value);
        self.tags.retain(|t| t.path() != tag.path());
        self.tags.push(tag);
        self
    }

    /// Builder: set a metadata entry.
    pub fn with_metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Builder: replace every `hardware.*` tag with those of `hw`.
    pub fn with_hardware(mut self, hw: HardwareCapabilities) -> Self {
        self.tags.retain(|t| t.axis() != Some(TaxonomyAxis::Hardware));
        for t in hw.to_tags() {
            self.insert_tag(t);
        }
        self
    }

    /// Builder: replace every `software.*` tag with those of `sw`.
    pub fn with_software(mut self, sw: SoftwareCapabilities) -> Self {
        self.tags.retain(|t| t.axis() != Some(TaxonomyAxis::Software));
        for t in sw.to_tags() {
            self.insert_tag(t);
        }
        self
    }

    /// Builder: add a model (replacing earlier tags of the same id).
    pub fn with_model(mut self, model: ModelCapability) -> Self {
        let id = model.model_id.as_str();
        self.tags.retain(|t| {
            t.axis() != Some(TaxonomyAxis::Model) || {
                let k = t.key_name();
                k != id && k.strip_suffix(FAMILY_SUFFIX) != Some(id) && k.strip_suffix(CONTEXT_SUFFIX) != Some(id)
            }
        });
        for t in model.to_tags() {
            self.insert_tag(t);
        }
        self
    }

    /// Builder: add several models.
    pub fn with_models(self, models: impl IntoIterator<Item = ModelCapability>) -> Self {
        models.into_iter().fold(self, Self::with_model)
    }

    /// The hardware axis, decoded now (see [`views`](Self::views) for a cached form).
    pub fn hardware(&self) -> HardwareCapabilities {
        HardwareCapabilities::from_tags(&self.tags)
    }

    /// The software axis, decoded now.
    pub fn software(&self) -> SoftwareCapabilities {
        SoftwareCapabilities::from_tags(&self.tags)
    }

    /// The models, decoded now.
    pub fn models(&self) -> Vec<ModelCapability> {
        ModelCapability::from_tags(&self.tags)
    }

    /// Lazy per-axis views: each axis is decoded on first use, once.
    pub fn views(&self) -> CapabilityViews<'_> {
        CapabilityViews::new(self)
    }

    /// The wire JSON, `{"tags": [...], "metadata": {...}}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a capability set always serializes")
    }

    /// Parse JSON: the wire shape `{"tags", "metadata"}` and/or the typed
    /// sections `hardware` ([`HardwareCapabilities`]), `software`
    /// ([`SoftwareCapabilities`]) and `models` ([`ModelCapability`] list).
    /// Typed sections come first in the resulting tag list, then `tags`.
    /// Unknown keys are refused.
    pub fn from_json(text: &str) -> Result<Self, CapabilityError> {
        serde_json::from_str(text).map_err(|e| CapabilityError::Json(e.to_string()))
    }
}

impl Serialize for CapabilitySet {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Wire<'a> {
            tags: &'a [Tag],
            metadata: &'a BTreeMap<String, String>,
        }
        Wire { tags: &self.tags, metadata: &self.metadata }.serialize(s)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetJson {
    #[serde(default)]
    tags: Vec<Tag>,
    #[serde(default)]
    metadata: BTreeMap<String, String>,
    hardware: Option<HardwareCapabilities>,
    software: Option<SoftwareCapabilities>,
    #[serde(default)]
    models: Vec<ModelCapability>,
}

impl<'de> Deserialize<'de> for CapabilitySet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let j = SetJson::deserialize(d)?;
        let mut set = CapabilitySet { tags: Vec::new(), metadata: j.metadata };
        if let Some(hw) = j.hardware {
            set = set.with_hardware(hw);
        }
        if let Some(sw) = j.software {
            set = set.with_software(sw);
        }
        set = set.with_models(j.models);
        for t in j.tags {
            set.insert_tag(t);
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::{GpuInfo, GpuVendor};

    #[test]
    fn typed_builders_round_trip_through_tags() {
        let hw = HardwareCapabilities::new().with_cpu(16, 32).with_memory(64).with_gpu(GpuInfo::new(GpuVendor::Nvidia, "RTX 4090", 24));
        let sw = SoftwareCapabilities::new().with_os("linux").with_runtime("cuda", "12.4");
        let m = ModelCapability::new("llama-3.1-70b").with_family("llama").with_context_length(128_000);
        let caps = CapabilitySet::new().with_hardware(hw.clone()).with_software(sw.clone()).with_model(m.clone()).add_tag("gpu");
        assert_eq!(caps.hardware(), hw);
        assert_eq!(caps.software(), sw);
        assert_eq!(caps.models(), vec![m]);
        assert!(caps.has_tag("hardware.gpu_vram_mb=24576"));
        let again = CapabilitySet::from_json(&caps.to_json()).unwrap();
        assert_eq!(again, caps);
        // Replacing an axis drops its old tags.
        let smaller = caps.clone().with_hardware(HardwareCapabilities::new().with_memory(8));
        assert_eq!(smaller.hardware(), HardwareCapabilities::new().with_memory(8));
        assert!(smaller.has_tag("gpu"));
    }

    #[test]
    fn typed_json_sections_become_tags() {
        let caps = CapabilitySet::from_json(
            r#"{"hardware":{"cpu_cores":16,"memory_gb":64,"gpu":{"vendor":"nvidia","model":"h100","vram_gb":80}},
                "models":[{"model_id":"llama-3.1-70b","family":"llama","context_length":128000}],
                "tags":["gpu","prod","gpu"],"metadata":{"intent":"ml"}}"#,
        )
        .unwrap();
        assert_eq!(caps.hardware().gpu.unwrap().vram_mb, 80 * 1024);
        assert_eq!(caps.tags().iter().filter(|t| t.as_str() == "gpu").count(), 1);
        assert_eq!(caps.models()[0].context_length, Some(128_000));
        let wire: serde_json::Value = serde_json::from_str(&caps.to_json()).unwrap();
        assert_eq!(wire.as_object().unwrap().keys().collect::<Vec<_>>(), ["metadata", "tags"]);
        assert_eq!(CapabilitySet::from_json(r#"{"tagz":[]}"#).unwrap_err().kind(), "invalid_json");
    }
}
