//! Typed tags: [`Tag`], [`TagKey`], [`TaxonomyAxis`] and the
//! [`RESERVED_PREFIXES`].
//!
//! A tag is one string of a [`CapabilitySet`](super::CapabilitySet):
//! `path` or `path=value`. The path of a typed tag starts with a
//! taxonomy axis and a dot (`hardware.memory_gb=64`, `software.os=linux`,
//! `model.llama-3.1-70b.family=llama`); every other path is a free tag
//! (`gpu`, `model:llama3-70b`, `region:us`). `scope:` tags narrow who
//! sees a node in scoped queries (see [`scope`](super::scope)).
//!
//! A [`Tag`] keeps its text and caches what queries need (where the path
//! ends, its axis, its hash, its value as a number), so predicate
//! evaluation compares hashes instead of re-parsing strings.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CapabilityError;

/// Tag prefixes that only the typed builders and the scope helpers write:
/// the three taxonomy axes and the scope tags.
pub const RESERVED_PREFIXES: &[&str] = &["hardware.", "software.", "model.", "scope:"];

/// Longest tag, in bytes, that [`Tag::from_user_string`] and validation accept.
pub const MAX_TAG_LEN: usize = 256;

/// The typed axes of the capability taxonomy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaxonomyAxis {
    /// CPU, memory, GPU: `hardware.<key>`.
    Hardware,
    /// Operating system, architecture, runtimes: `software.<key>`.
    Software,
    /// Hosted models: `model.<id>`, `model.<id>.family`, `model.<id>.context_length`.
    Model,
}

impl TaxonomyAxis {
    /// Every axis, in a fixed order.
    pub const ALL: [TaxonomyAxis; 3] = [TaxonomyAxis::Hardware, TaxonomyAxis::Software, TaxonomyAxis::Model];

    /// `"hardware"`, `"software"` or `"model"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hardware => "hardware",
            Self::Software => "software",
            Self::Model => "model",
        }
    }

    /// The axis named `name` (exact spelling).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// [`from_name`](Self::from_name) for a caller's input: an unknown
    /// name is an `invalid_tag` error that lists the axes.
    pub fn parse(name: &str) -> Result<Self, CapabilityError> {
        Self::from_name(name)
            .ok_or_else(|| CapabilityError::InvalidTag(format!("unknown axis {name:?} (hardware, software, model)")))
    }

    /// The axis a tag path belongs to: the path starts with `<axis>.`.
    pub fn of_path(path: &str) -> Option<Self> {
        let (head, _) = path.split_once('.')?;
        Self::from_name(head)
    }
}

impl fmt::Display for TaxonomyAxis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The path of a tag: an axis and a key (`hardware` + `memory_gb`), or a
/// free name (`gpu`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagKey {
    axis: Option<TaxonomyAxis>,
    name: String,
}

impl TagKey {
    /// The key `name` on `axis` (path `<axis>.<name>`).
    pub fn new(axis: TaxonomyAxis, name: impl Into<String>) -> Self {
        Self { axis: Some(axis), name: name.into() }
    }

    /// A free key (no axis): the path is `name` itself.
    pub fn free(name: impl Into<String>) -> Self {
        Self { axis: None, name: name.into() }
    }

    /// Split a path into axis and key.
    pub fn from_path(path: &str) -> Self {
        match TaxonomyAxis::of_path(path) {
            Some(axis) => Self { axis: Some(axis), name: path[axis.as_str().len() + 1..].to_owned() },
            None => Self::free(path),
        }
    }

    /// The axis, if the key is typed.
    pub fn axis(&self) -> Option<TaxonomyAxis> {
        self.axis
    }

    /// The key within its axis (the whole path for a free key).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The path as it appears in a tag.
    pub fn path(&self) -> String {
        match self.axis {
            Some(axis) => format!("{axis}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

impl fmt::Display for TagKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// One tag: `path` or `path=value`, with its parse cached.
///
/// Any string is a tag (the wire is tolerant); [`Tag::from_user_string`]
/// is the strict constructor for text that came from a user, and
/// [`validate_capabilities`](super::schema::validate_capabilities) checks a whole set.
#[derive(Clone)]
pub struct Tag {
    raw: String,
    /// Where the path ends (`raw.len()` when there is no value).
    path_end: usize,
    axis: Option<TaxonomyAxis>,
    path_hash: u64,
    number: Option<f64>,
}

/// The hash a tag path is compared by (xxh3 of its bytes).
#[inline]
pub(crate) fn path_hash(path: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(path.as_bytes())
}

/// `(path, value)` of tag text: the value is what follows the first `=`.
#[inline]
pub fn split_tag(text: &str) -> (&str, Option<&str>) {
    match text.find('=') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    }
}

impl Tag {
    /// The tag spelled `text` (infallible: see [`Tag::from_user_string`]).
    pub fn parse(text: impl Into<String>) -> Self {
        let raw = text.into();
        let (path, value) = split_tag(&raw);
        let path_end = path.len();
        let axis = TaxonomyAxis::of_path(path);
        let path_hash = path_hash(path);
        let number = value.and_then(|v| v.trim().parse::<f64>().ok()).filter(|n| n.is_finite());
        Self { raw, path_end, axis, path_hash, number }
    }

    /// A presence tag `<axis>.<key>` (e.g. `hardware.gpu`).
    pub fn flag(axis: TaxonomyAxis, key: &str) -> Self {
        Self::parse(format!("{axis}.{key}"))
    }

    /// A valued tag `<axis>.<key>=<value>` (e.g. `software.os=linux`).
    pub fn axis_value(axis: TaxonomyAxis, key: &str, value: impl fmt::Display) -> Self {
        Self::parse(format!("{axis}.{key}={value}"))
    }

    /// A tag from untrusted text: refused when empty, longer than
    /// [`MAX_TAG_LEN`], containing control characters, or starting with a
    /// [reserved prefix](RESERVED_PREFIXES) (those are written by the
    /// typed builders and scope helpers only). Surrounding whitespace is
    /// trimmed.
    pub fn from_user_string(text: &str) -> Result<Self, CapabilityError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CapabilityError::InvalidTag("a tag must not be empty".into()));
        }
        if text.len() > MAX_TAG_LEN {
            return Err(CapabilityError::InvalidTag(format!("a tag is at most {MAX_TAG_LEN} bytes")));
        }
        if text.chars().any(char::is_control) {
            return Err(CapabilityError::InvalidTag(format!("{text:?} contains control characters")));
        }
        if let Some(p) = RESERVED_PREFIXES.iter().find(|p| text.starts_with(**p)) {
            return Err(CapabilityError::InvalidTag(format!("{text:?} uses the reserved prefix {p:?}")));
        }
        Ok(Self::parse(text))
    }

    /// The whole tag text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The path (everything before the first `=`).
    #[inline]
    pub fn path(&self) -> &str {
        &self.raw[..self.path_end]
    }

    /// The value (after the first `=`), if any.
    #[inline]
    pub fn value(&self) -> Option<&str> {
        (self.path_end < self.raw.len()).then(|| &self.raw[self.path_end + 1..])
    }

    /// The value as a finite number, if it is one.
    #[inline]
    pub fn number(&self) -> Option<f64> {
        self.number
    }

    /// The axis, for a typed tag.
    #[inline]
    pub fn axis(&self) -> Option<TaxonomyAxis> {
        self.axis
    }

    /// The key within the axis (the whole path for a free tag).
    pub fn key_name(&self) -> &str {
        match self.axis {
            Some(a) => &self.path()[a.as_str().len() + 1..],
            None => self.path(),
        }
    }

    /// The path as a [`TagKey`].
    pub fn key(&self) -> TagKey {
        match self.axis {
            Some(a) => TagKey::new(a, self.key_name()),
            None => TagKey::free(self.path()),
        }
    }

    /// Whether the tag starts with one of the [`RESERVED_PREFIXES`].
    pub fn is_reserved(&self) -> bool {
        RESERVED_PREFIXES.iter().any(|p| self.raw.starts_with(p))
    }

    /// Whether the path is `path` (whose hash is `hash`).
    #[inline]
    pub(crate) fn has_path(&self, path: &str, hash: u64) -> bool {
        self.path_hash == hash && short_eq(self.path().as_bytes(), path.as_bytes())
    }
}

/// `a == b` for the short strings of tags, inline: a call to libc's
/// `memcmp` per comparison was a third of a predicate's evaluation.
#[inline]
pub(crate) fn short_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    for (x, y) in (&mut a8).zip(&mut b8) {
        if u64::from_ne_bytes(x.try_into().expect("8 bytes")) != u64::from_ne_bytes(y.try_into().expect("8 bytes")) {
            return false;
        }
    }
    a8.remainder().iter().zip(b8.remainder()).all(|(x, y)| x == y)
}

/// `text.starts_with(prefix)`, with [`short_eq`].
#[inline]
pub(crate) fn short_starts_with(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && short_eq(&text[..prefix.len()], prefix)
}

impl PartialEq for Tag {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl Eq for Tag {}

impl std::hash::Hash for Tag {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state)
    }
}

impl PartialOrd for Tag {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tag {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.raw.cmp(&other.raw)
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({:?})", self.raw)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl From<&str> for Tag {
    fn from(s: &str) -> Self {
        Tag::parse(s)
    }
}

impl From<String> for Tag {
    fn from(s: String) -> Self {
        Tag::parse(s)
    }
}

impl Serialize for Tag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Tag::parse)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_comparisons_match_the_std_ones() {
        let words = ["", "a", "ab", "model:", "model:x", "hardware.gpu", "hardware.gpu_", "hardware.memory_gb", "hardware.memory_gc", "software.os=linux"];
        for a in words {
            for b in words {
                assert_eq!(short_eq(a.as_bytes(), b.as_bytes()), a == b, "{a:?} == {b:?}");
                assert_eq!(short_starts_with(a.as_bytes(), b.as_bytes()), a.starts_with(b), "{a:?} starts with {b:?}");
            }
        }
    }

    #[test]
    fn tags_split_into_path_axis_and_value() {
        let t = Tag::parse("hardware.memory_gb=64");
        assert_eq!((t.path(), t.value(), t.axis(), t.number()), ("hardware.memory_gb", Some("64"), Some(TaxonomyAxis::Hardware), Some(64.0)));
        assert_eq!(t.key(), TagKey::new(TaxonomyAxis::Hardware, "memory_gb"));
        let free = Tag::parse("model:llama3-70b");
        assert_eq!((free.path(), free.value(), free.axis()), ("model:llama3-70b", None, None));
        assert_eq!(Tag::parse("a=b=c").value(), Some("b=c"));
        assert_eq!(Tag::parse("x=nan").number(), None);
        assert_eq!(TagKey::from_path("model.llama-3.1").name(), "llama-3.1");
    }

    #[test]
    fn user_tags_are_checked() {
        assert!(Tag::from_user_string(" gpu ").is_ok());
        for bad in ["", "hardware.gpu", "scope:tenant:x", "a\u{7}b", &"x".repeat(300)] {
            assert_eq!(Tag::from_user_string(bad).unwrap_err().kind(), "invalid_tag", "{bad:?}");
        }
    }
}
