//! The software axis: [`SoftwareCapabilities`].
//!
//! Tags written: `software.os=<os>`, `software.arch=<arch>`,
//! `software.kernel=<version>`, and one `software.runtime.<name>=<version>`
//! per runtime (`cuda`, `python`, ...), in name order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::tag::{Tag, TaxonomyAxis};

/// Operating system, architecture and runtimes of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SoftwareCapabilities {
    /// Operating system (`linux`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    /// CPU architecture (`x86_64`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arch: Option<String>,
    /// Kernel version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kernel: Option<String>,
    /// Runtime name → version.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub runtimes: BTreeMap<String, String>,
}

impl SoftwareCapabilities {
    /// Nothing declared.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the operating system.
    pub fn with_os(mut self, os: impl Into<String>) -> Self {
        self.os = Some(os.into());
        self
    }

    /// Set the architecture.
    pub fn with_arch(mut self, arch: impl Into<String>) -> Self {
        self.arch = Some(arch.into());
        self
    }

    /// Set the kernel version.
    pub fn with_kernel(mut self, kernel: impl Into<String>) -> Self {
        self.kernel = Some(kernel.into());
        self
    }

    /// Add a runtime and its version.
    pub fn with_runtime(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.runtimes.insert(name.into(), version.into());
        self
    }

    /// The `software.*` tags this describes.
    pub fn to_tags(&self) -> Vec<Tag> {
        let s = TaxonomyAxis::Software;
        let mut out = Vec::new();
        for (key, v) in [("os", &self.os), ("arch", &self.arch), ("kernel", &self.kernel)] {
            if let Some(v) = v {
                out.push(Tag::axis_value(s, key, v));
            }
        }
        for (name, version) in &self.runtimes {
            out.push(Tag::axis_value(s, &format!("runtime.{name}"), version));
        }
        out
    }

    /// Decode the `software.*` tags of `tags` (the first occurrence wins).
    pub fn from_tags(tags: &[Tag]) -> Self {
        let mut sw = Self::default();
        for t in tags.iter().filter(|t| t.axis() == Some(TaxonomyAxis::Software)) {
            let Some(v) = t.value() else { continue };
            match t.key_name() {
                "os" => sw.os = sw.os.take().or(Some(v.to_owned())),
                "arch" => sw.arch = sw.arch.take().or(Some(v.to_owned())),
                "kernel" => sw.kernel = sw.kernel.take().or(Some(v.to_owned())),
                k => {
                    if let Some(name) = k.strip_prefix("runtime.").filter(|n| !n.is_empty()) {
                        sw.runtimes.entry(name.to_owned()).or_insert_with(|| v.to_owned());
                    }
                }
            }
        }
        sw
    }
}
