//! Schema validation: [`validate_capabilities`] checks a set against the
//! canonical taxonomy and limits and reports every problem as a typed
//! [`SchemaError`].
//!
//! Checked, in tag order then metadata order:
//! - every tag: non-empty, at most [`MAX_TAG_LEN`] bytes, no control
//!   characters (`invalid_tag`); at most [`MAX_TAGS`] tags;
//! - a path whose first dot-separated word is close to an axis name but
//!   is not one (`hardwre.gpu`, `models.x`, `Hardware.gpu`) — `unknown_axis`;
//! - typed tags: the key exists on its axis (`unknown_key`, with the
//!   closest known key as a suggestion), the value has the key's type
//!   (`type_mismatch`: integer, flag (no value), text, gpu vendor), and a
//!   single-valued key appears once (`duplicate_key`);
//! - `scope:` tags are one of the three reserved forms (`invalid_scope`);
//! - metadata: at most [`MAX_METADATA_ENTRIES`] entries, keys at most
//!   [`MAX_METADATA_KEY_LEN`] bytes and non-empty, values at most
//!   [`MAX_METADATA_VALUE_LEN`], all together at most
//!   [`MAX_METADATA_BYTES`] (`oversize_metadata`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::hardware::GpuVendor;
use super::model::{CONTEXT_SUFFIX, FAMILY_SUFFIX};
use super::scope::{SCOPE_REGION_PREFIX, SCOPE_SUBNET_LOCAL, SCOPE_TENANT_PREFIX};
use super::set::CapabilitySet;
use super::tag::{Tag, TaxonomyAxis, MAX_TAG_LEN};

/// Most tags a valid set holds.
pub const MAX_TAGS: usize = 512;
/// Most metadata entries.
pub const MAX_METADATA_ENTRIES: usize = 64;
/// Longest metadata key, bytes.
pub const MAX_METADATA_KEY_LEN: usize = 128;
/// Longest metadata value, bytes.
pub const MAX_METADATA_VALUE_LEN: usize = 1024;
/// Most metadata bytes (keys plus values).
pub const MAX_METADATA_BYTES: usize = 16 * 1024;

/// One schema problem. [`kind`](Self::kind) is the stable spelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SchemaError {
    /// The tag itself is unusable.
    InvalidTag {
        /// The tag.
        tag: String,
        /// Why.
        reason: String,
    },
    /// More than [`MAX_TAGS`] tags.
    TooManyTags {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A near-miss of a reserved axis name.
    UnknownAxis {
        /// The tag.
        tag: String,
        /// The word written.
        axis: String,
        /// The axis probably meant.
        suggestion: String,
    },
    /// A key its axis does not define.
    UnknownKey {
        /// The tag.
        tag: String,
        /// The axis.
        axis: TaxonomyAxis,
        /// The key written.
        key: String,
        /// The closest known key, if one is close.
        #[serde(skip_serializing_if = "Option::is_none")]
        suggestion: Option<String>,
    },
    /// A value of the wrong type for its key.
    TypeMismatch {
        /// The tag.
        tag: String,
        /// The path.
        path: String,
        /// `integer`, `flag`, `text` or `gpu_vendor`.
        expected: String,
    },
    /// A single-valued key given twice.
    DuplicateKey {
        /// The path.
        path: String,
    },
    /// A `scope:` tag of no reserved form.
    InvalidScope {
        /// The tag.
        tag: String,
    },
    /// Metadata over a limit.
    OversizeMetadata {
        /// The key concerned (empty for the entry-count and total limits).
        key: String,
        /// `key`, `value`, `entries` or `total`.
        what: String,
        /// The size found.
        size: usize,
        /// The limit.
        max: usize,
    },
}

impl SchemaError {
    /// The stable kind string.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::InvalidTag { .. } => "invalid_tag",
            Self::TooManyTags { .. } => "too_many_tags",
            Self::UnknownAxis { .. } => "unknown_axis",
            Self::UnknownKey { .. } => "unknown_key",
            Self::TypeMismatch { .. } => "type_mismatch",
            Self::DuplicateKey { .. } => "duplicate_key",
            Self::InvalidScope { .. } => "invalid_scope",
            Self::OversizeMetadata { .. } => "oversize_metadata",
        }
    }
}

impl fmt::Display for SchemaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidTag { tag, reason } => write!(f, "tag {tag:?}: {reason}"),
            Self::TooManyTags { count, max } => write!(f, "{count} tags, at most {max}"),
            Self::UnknownAxis { tag, axis, suggestion } => write!(f, "tag {tag:?}: unknown axis {axis:?} (did you mean {suggestion:?}?)"),
            Self::UnknownKey { tag, axis, key, suggestion } => {
                write!(f, "tag {tag:?}: {axis} has no key {key:?}")?;
                match suggestion {
                    Some(s) => write!(f, " (did you mean {s:?}?)"),
                    None => Ok(()),
                }
            }
            Self::TypeMismatch { tag, path, expected } => write!(f, "tag {tag:?}: {path} takes {expected}"),
            Self::DuplicateKey { path } => write!(f, "{path} is given more than once"),
            Self::InvalidScope { tag } => write!(f, "{tag:?} is not scope:subnet-local, scope:tenant:<id> or scope:region:<name>"),
            Self::OversizeMetadata { key, what, size, max } => write!(f, "metadata {what} {key:?}: {size} bytes, at most {max}"),
        }
    }
}

/// Every schema problem of a set.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ValidationReport {
    /// The problems, in tag then metadata order.
    pub errors: Vec<SchemaError>,
}

impl ValidationReport {
    /// No problems.
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueType {
    Integer,
    Flag,
    Text,
    Vendor,
}

impl ValueType {
    fn name(self) -> &'static str {
        match self {
            Self::Integer => "integer",
            Self::Flag => "flag",
            Self::Text => "text",
            Self::Vendor => "gpu_vendor",
        }
    }

    fn accepts(self, value: Option<&str>) -> bool {
        match (self, value) {
            (Self::Flag, v) => v.is_none(),
            (Self::Integer, Some(v)) => v.parse::<u64>().is_ok(),
            (Self::Text, Some(v)) => !v.is_empty(),
            (Self::Vendor, Some(v)) => v.parse::<GpuVendor>().is_ok(),
            _ => false,
        }
    }
}

const HARDWARE_KEYS: &[(&str, ValueType)] = &[
    ("cpu_cores", ValueType::Integer),
    ("cpu_threads", ValueType::Integer),
    ("memory_gb", ValueType::Integer),
    ("storage_gb", ValueType::Integer),
    ("gpu", ValueType::Flag),
    ("gpu_vendor", ValueType::Vendor),
    ("gpu_model", ValueType::Text),
    ("gpu_vram_mb", ValueType::Integer),
    ("gpu_count", ValueType::Integer),
];

const SOFTWARE_KEYS: &[(&str, ValueType)] = &[("os", ValueType::Text), ("arch", ValueType::Text), ("kernel", ValueType::Text)];

/// The type of `key` on `axis`, or `None` if the axis has no such key.
fn key_type(axis: TaxonomyAxis, key: &str) -> Option<ValueType> {
    match axis {
        TaxonomyAxis::Hardware => HARDWARE_KEYS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t),
        TaxonomyAxis::Software => match key.strip_prefix("runtime.") {
            Some(name) if !name.is_empty() => Some(ValueType::Text),
            _ => SOFTWARE_KEYS.iter().find(|(k, _)| *k == key).map(|(_, t)| *t),
        },
        TaxonomyAxis::Model => {
            if key.is_empty() {
                None
            } else if key.strip_suffix(FAMILY_SUFFIX).is_some_and(|id| !id.is_empty()) {
                Some(ValueType::Text)
            } else if key.strip_suffix(CONTEXT_SUFFIX).is_some_and(|id| !id.is_empty()) {
                Some(ValueType::Integer)
            } else {
                Some(ValueType::Flag)
            }
        }
    }
}

/// Levenshtein distance (small inputs).
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The axis `word` probably misspells, if any.
fn near_axis(word: &str) -> Option<TaxonomyAxis> {
    if word.len() < 3 || TaxonomyAxis::from_name(word).is_some() {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    TaxonomyAxis::ALL.into_iter().find(|a| distance(&lower, a.as_str()) <= 2)
}

/// The known key of `axis` closest to `key`, when within distance 3.
fn near_key(axis: TaxonomyAxis, key: &str) -> Option<String> {
    let keys: &[(&str, ValueType)] = match axis {
        TaxonomyAxis::Hardware => HARDWARE_KEYS,
        TaxonomyAxis::Software => SOFTWARE_KEYS,
        TaxonomyAxis::Model => return None,
    };
    keys.iter().map(|(k, _)| (distance(key, k), *k)).filter(|(d, _)| *d <= 3).min().map(|(_, k)| k.to_owned())
}

fn check_tag(tag: &Tag, errors: &mut Vec<SchemaError>, seen: &mut Vec<String>) {
    let text = tag.as_str();
    let invalid = |reason: String| SchemaError::InvalidTag { tag: text.to_owned(), reason };
    if text.is_empty() {
        return errors.push(invalid("empty".into()));
    }
    if text.len() > MAX_TAG_LEN {
        return errors.push(invalid(format!("{} bytes, at most {MAX_TAG_LEN}", text.len())));
    }
    if text.chars().any(char::is_control) {
        return errors.push(invalid("contains control characters".into()));
    }
    if text.starts_with("scope:") {
        let ok = text == SCOPE_SUBNET_LOCAL
            || [SCOPE_TENANT_PREFIX, SCOPE_REGION_PREFIX]
                .iter()
                .any(|p| text.strip_prefix(p).is_some_and(|rest| !rest.is_empty() && !rest.contains('=')));
        if !ok {
            errors.push(SchemaError::InvalidScope { tag: text.to_owned() });
        }
        return;
    }
    let Some(axis) = tag.axis() else {
        if let Some((word, _)) = tag.path().split_once('.') {
            if let Some(a) = near_axis(word) {
                errors.push(SchemaError::UnknownAxis { tag: text.to_owned(), axis: word.to_owned(), suggestion: a.as_str().to_owned() });
            }
        }
        return;
    };
    let key = tag.key_name();
    let Some(ty) = key_type(axis, key) else {
        return errors.push(SchemaError::UnknownKey {
            tag: text.to_owned(),
            axis,
            key: key.to_owned(),
            suggestion: near_key(axis, key),
        });
    };
    if !ty.accepts(tag.value()) {
        return errors.push(SchemaError::TypeMismatch { tag: text.to_owned(), path: tag.path().to_owned(), expected: ty.name().to_owned() });
    }
    // Model presence tags may repeat harmlessly; everything else is single-valued.
    if ty != ValueType::Flag {
        let path = tag.path().to_owned();
        if seen.contains(&path) {
            if !errors.iter().any(|e| matches!(e, SchemaError::DuplicateKey { path: p } if *p == path)) {
                errors.push(SchemaError::DuplicateKey { path });
            }
        } else {
            seen.push(path);
        }
    }
}

/// Check `caps` against the schema (see the module doc).
pub fn validate_capabilities(caps: &CapabilitySet) -> ValidationReport {
    let mut errors = Vec::new();
    if caps.tags().len() > MAX_TAGS {
        errors.push(SchemaError::TooManyTags { count: caps.tags().len(), max: MAX_TAGS });
    }
    let mut seen = Vec::new();
    for tag in caps.tags() {
        check_tag(tag, &mut errors, &mut seen);
    }
    let meta = caps.metadata();
    let oversize = |key: &str, what: &str, size: usize, max: usize| SchemaError::OversizeMetadata {
        key: key.to_owned(),
        what: what.to_owned(),
        size,
        max,
    };
    if meta.len() > MAX_METADATA_ENTRIES {
        errors.push(oversize("", "entries", meta.len(), MAX_METADATA_ENTRIES));
    }
    let mut total = 0;
    for (k, v) in meta {
        total += k.len() + v.len();
        if k.is_empty() || k.len() > MAX_METADATA_KEY_LEN {
            errors.push(oversize(k, "key", k.len(), MAX_METADATA_KEY_LEN));
        }
        if v.len() > MAX_METADATA_VALUE_LEN {
            errors.push(oversize(k, "value", v.len(), MAX_METADATA_VALUE_LEN));
        }
    }
    if total > MAX_METADATA_BYTES {
        errors.push(oversize("", "total", total, MAX_METADATA_BYTES));
    }
    ValidationReport { errors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::{GpuInfo, HardwareCapabilities, ModelCapability, SoftwareCapabilities};

    fn kinds(caps: &CapabilitySet) -> Vec<&'static str> {
        validate_capabilities(caps).errors.iter().map(SchemaError::kind).collect()
    }

    #[test]
    fn builder_output_is_valid() {
        let caps = CapabilitySet::new()
            .with_hardware(HardwareCapabilities::new().with_cpu(8, 16).with_memory(32).with_gpu(GpuInfo::new(GpuVendor::Amd, "MI300", 192)))
            .with_software(SoftwareCapabilities::new().with_os("linux").with_runtime("rocm", "6.0"))
            .with_model(ModelCapability::new("llama-3.1-70b").with_family("llama").with_context_length(128_000))
            .add_tag("gpu")
            .add_tag("model:llama3-70b")
            .with_tenant_scope("oem")
            .with_metadata("intent", "x");
        assert_eq!(validate_capabilities(&caps), ValidationReport::default());
    }

    #[test]
    fn problems_are_typed() {
        let caps = CapabilitySet::new()
            .add_tag("hardwre.gpu")
            .add_tag("hardware.memroy_gb=64")
            .add_tag("hardware.memory_gb=lots")
            .add_tag("hardware.gpu=yes")
            .add_tag("hardware.cpu_cores=4")
            .add_tag("hardware.cpu_cores=8")
            .add_tag("scope:tenant:")
            .add_tag("")
            .with_metadata("big", "x".repeat(MAX_METADATA_VALUE_LEN + 1));
        assert_eq!(
            kinds(&caps),
            ["unknown_axis", "unknown_key", "type_mismatch", "type_mismatch", "duplicate_key", "invalid_scope", "invalid_tag", "oversize_metadata"]
        );
        let report = validate_capabilities(&caps);
        assert!(matches!(&report.errors[1], SchemaError::UnknownKey { suggestion: Some(s), .. } if s == "memory_gb"));
        assert!(report.to_string().contains("did you mean"));
        let json = serde_json::to_value(&report.errors[0]).unwrap();
        assert_eq!(json["kind"], "unknown_axis");
        assert_eq!(kinds(&CapabilitySet::new().add_tag("models.llama")), ["unknown_axis"]);
        assert!(kinds(&CapabilitySet::new().add_tag("region.eu").add_tag("a.b.c")).is_empty());
    }
}
