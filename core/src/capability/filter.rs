//! [`CapabilityFilter`]: the structured query of `find_nodes`.
//!
//! JSON (every key optional, unknown keys refused):
//! `{"require_gpu": true, "gpu_vendor": "nvidia", "min_vram_mb": 40000,
//!   "min_memory_gb": 64, "min_cpu_cores": 8, "min_cpu_threads": 16,
//!   "require_tags": ["prod"], "model": "llama-3.1-70b",
//!   "min_context_length": 32000, "os": "linux", "predicate": {...}}`.
//! Every given criterion must hold (AND). `gpu_vendor` and `min_vram_mb`
//! imply a GPU.

use serde::{Deserialize, Serialize};

use super::hardware::{GpuVendor, HardwareCapabilities};
use super::model::CONTEXT_SUFFIX;
use super::predicate::{EvalContext, Predicate};
use super::set::CapabilitySet;
use super::tag::split_tag;

/// What a node must offer to match.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CapabilityFilter {
    /// A GPU (`hardware.gpu`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub require_gpu: bool,
    /// A GPU of this maker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu_vendor: Option<GpuVendor>,
    /// At least this much memory per GPU, MiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_vram_mb: Option<u64>,
    /// At least this much memory, GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_memory_gb: Option<u64>,
    /// At least this many CPU cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cpu_cores: Option<u32>,
    /// At least this many CPU threads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_cpu_threads: Option<u32>,
    /// Exact tags that must all be present.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub require_tags: Vec<String>,
    /// A model id the node must serve (`model.<id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// With `model`: its context length at least this (tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_context_length: Option<u64>,
    /// The operating system (`software.os`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// A predicate that must hold as well.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub predicate: Option<Predicate>,
}

/// The numbers a filter compares, decoded once per indexed set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub gpu: bool,
    pub vendor: Option<GpuVendor>,
    pub vram_mb: u64,
    pub memory_gb: u64,
    pub cpu_cores: u32,
    pub cpu_threads: u32,
}

impl Facts {
    pub fn of(caps: &CapabilitySet) -> Self {
        let hw = HardwareCapabilities::from_tags(caps.tags());
        Self {
            gpu: hw.gpu.is_some(),
            vendor: hw.gpu.as_ref().map(|g| g.vendor),
            vram_mb: hw.gpu.as_ref().map_or(0, |g| g.vram_mb),
            memory_gb: hw.memory_gb.unwrap_or(0),
            cpu_cores: hw.cpu_cores.unwrap_or(0),
            cpu_threads: hw.cpu_threads.unwrap_or(0),
        }
    }
}

impl CapabilityFilter {
    /// Matches every node.
    pub fn new() -> Self {
        Self::default()
    }

    /// Require a GPU.
    pub fn require_gpu(mut self) -> Self {
        self.require_gpu = true;
        self
    }

    /// Require a GPU of `vendor`.
    pub fn with_gpu_vendor(mut self, vendor: GpuVendor) -> Self {
        self.gpu_vendor = Some(vendor);
        self
    }

    /// Require at least `gb` GiB of memory per GPU.
    pub fn with_min_vram(self, gb: u64) -> Self {
        self.with_min_vram_mb(gb.saturating_mul(1024))
    }

    /// Require at least `mb` MiB of memory per GPU.
    pub fn with_min_vram_mb(mut self, mb: u64) -> Self {
        self.min_vram_mb = Some(mb);
        self
    }

    /// Require at least `gb` GiB of memory.
    pub fn with_min_memory(mut self, gb: u64) -> Self {
        self.min_memory_gb = Some(gb);
        self
    }

    /// Require at least `cores` CPU cores.
    pub fn with_min_cpu_cores(mut self, cores: u32) -> Self {
        self.min_cpu_cores = Some(cores);
        self
    }

    /// Require at least `threads` CPU threads.
    pub fn with_min_cpu_threads(mut self, threads: u32) -> Self {
        self.min_cpu_threads = Some(threads);
        self
    }

    /// Require the exact tag `tag`.
    pub fn require_tag(mut self, tag: impl Into<String>) -> Self {
        self.require_tags.push(tag.into());
        self
    }

    /// Require the model `model_id`.
    pub fn require_model(mut self, model_id: impl Into<String>) -> Self {
        self.model = Some(model_id.into());
        self
    }

    /// Require the model's context length to be at least `tokens`.
    pub fn with_min_context_length(mut self, tokens: u64) -> Self {
        self.min_context_length = Some(tokens);
        self
    }

    /// Require the operating system `os`.
    pub fn require_os(mut self, os: impl Into<String>) -> Self {
        self.os = Some(os.into());
        self
    }

    /// Require `predicate` to hold too.
    pub fn with_predicate(mut self, predicate: Predicate) -> Self {
        self.predicate = Some(predicate);
        self
    }

    /// Whether `caps` satisfies every criterion.
    pub fn matches(&self, caps: &CapabilitySet) -> bool {
        self.matches_facts(&Facts::of(caps), caps)
    }

    pub(crate) fn matches_facts(&self, f: &Facts, caps: &CapabilitySet) -> bool {
        let needs_gpu = self.require_gpu || self.gpu_vendor.is_some() || self.min_vram_mb.is_some();
        if needs_gpu && !f.gpu
            || self.gpu_vendor.is_some_and(|v| f.vendor != Some(v))
            || self.min_vram_mb.is_some_and(|m| f.vram_mb < m)
            || self.min_memory_gb.is_some_and(|m| f.memory_gb < m)
            || self.min_cpu_cores.is_some_and(|m| f.cpu_cores < m)
            || self.min_cpu_threads.is_some_and(|m| f.cpu_threads < m)
        {
            return false;
        }
        if !self.require_tags.iter().all(|t| caps.has_tag(t)) {
            return false;
        }
        if let Some(id) = &self.model {
            let tags = caps.tags();
            let presence = |t: &&super::Tag| t.axis() == Some(super::TaxonomyAxis::Model) && t.value().is_none() && t.key_name() == id;
            if !tags.iter().any(|t| presence(&t)) {
                return false;
            }
            if let Some(min) = self.min_context_length {
                let ctx_path = format!("model.{id}{CONTEXT_SUFFIX}");
                let ok = tags.iter().any(|t| t.path() == ctx_path && t.value().and_then(|v| v.parse::<u64>().ok()).is_some_and(|n| n >= min));
                if !ok {
                    return false;
                }
            }
        }
        if let Some(os) = &self.os {
            if !caps.tags().iter().any(|t| t.path() == "software.os" && t.value() == Some(os.as_str())) {
                return false;
            }
        }
        self.predicate.as_ref().is_none_or(|p| p.evaluate(&EvalContext::from_set(caps)))
    }

    /// Tag paths every match must carry: candidates for an index lookup.
    pub(crate) fn required_paths(&self) -> Vec<String> {
        let mut out: Vec<String> = self.require_tags.iter().map(|t| split_tag(t).0.to_owned()).collect();
        if let Some(id) = &self.model {
            out.push(format!("model.{id}"));
        }
        if self.require_gpu || self.gpu_vendor.is_some() || self.min_vram_mb.is_some() {
            out.push("hardware.gpu".to_owned());
        }
        out
    }

    /// Parse the JSON form.
    pub fn from_json(text: &str) -> Result<Self, super::CapabilityError> {
        let f: Self = serde_json::from_str(text).map_err(|e| super::CapabilityError::Json(e.to_string()))?;
        if let Some(p) = &f.predicate {
            p.check()?;
        }
        Ok(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::{GpuInfo, ModelCapability};

    #[test]
    fn filters_match_typed_capabilities() {
        let caps = CapabilitySet::new()
            .with_hardware(HardwareCapabilities::new().with_cpu(16, 32).with_memory(64).with_gpu(GpuInfo::new(GpuVendor::Nvidia, "RTX 4090", 24)))
            .with_model(ModelCapability::new("llama-3.1-70b").with_context_length(128_000))
            .add_tag("prod");
        let yes = [
            CapabilityFilter::new(),
            CapabilityFilter::new().require_gpu().with_min_vram(16),
            CapabilityFilter::new().with_gpu_vendor(GpuVendor::Nvidia).with_min_memory(64).with_min_cpu_cores(16),
            CapabilityFilter::new().require_tag("prod").require_model("llama-3.1-70b").with_min_context_length(100_000),
            CapabilityFilter::new().with_predicate(Predicate::at_least("hardware.cpu_threads", 32.0)),
        ];
        for f in &yes {
            assert!(f.matches(&caps), "{f:?}");
        }
        let no = [
            CapabilityFilter::new().with_min_vram(25),
            CapabilityFilter::new().with_gpu_vendor(GpuVendor::Amd),
            CapabilityFilter::new().with_min_memory(65),
            CapabilityFilter::new().require_tag("dev"),
            CapabilityFilter::new().require_model("llama-3.1"),
            CapabilityFilter::new().require_model("llama-3.1-70b").with_min_context_length(200_000),
            CapabilityFilter::new().require_os("linux"),
        ];
        for f in &no {
            assert!(!f.matches(&caps), "{f:?}");
        }
        assert!(!CapabilityFilter::new().require_gpu().matches(&CapabilitySet::new().add_tag("gpu")));
        let f = CapabilityFilter::from_json(r#"{"require_gpu":true,"gpu_vendor":"nvidia","min_vram_mb":20000}"#).unwrap();
        assert!(f.matches(&caps));
        assert_eq!(CapabilityFilter::from_json(r#"{"require_gpus":true}"#).unwrap_err().kind(), "invalid_json");
    }
}
