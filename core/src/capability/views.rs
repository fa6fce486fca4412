//! [`CapabilityViews`]: lazy, cached per-axis decodes of a set.

use std::cell::OnceCell;

use super::hardware::HardwareCapabilities;
use super::model::ModelCapability;
use super::scope::CapabilityScope;
use super::set::CapabilitySet;
use super::software::SoftwareCapabilities;

/// Per-axis projections of a [`CapabilitySet`], each decoded on first
/// call and cached; axes are independent (reading `software()` never
/// decodes hardware).
pub struct CapabilityViews<'a> {
    set: &'a CapabilitySet,
    hardware: OnceCell<HardwareCapabilities>,
    software: OnceCell<SoftwareCapabilities>,
    models: OnceCell<Vec<ModelCapability>>,
    scope: OnceCell<CapabilityScope>,
}

impl<'a> CapabilityViews<'a> {
    pub(crate) fn new(set: &'a CapabilitySet) -> Self {
        Self { set, hardware: OnceCell::new(), software: OnceCell::new(), models: OnceCell::new(), scope: OnceCell::new() }
    }

    /// The set viewed.
    pub fn set(&self) -> &'a CapabilitySet {
        self.set
    }

    /// `hardware.*`, decoded once.
    pub fn hardware(&self) -> &HardwareCapabilities {
        self.hardware.get_or_init(|| HardwareCapabilities::from_tags(self.set.tags()))
    }

    /// `software.*`, decoded once.
    pub fn software(&self) -> &SoftwareCapabilities {
        self.software.get_or_init(|| SoftwareCapabilities::from_tags(self.set.tags()))
    }

    /// `model.*`, decoded once.
    pub fn models(&self) -> &[ModelCapability] {
        self.models.get_or_init(|| ModelCapability::from_tags(self.set.tags()))
    }

    /// The resolved `scope:*` visibility, once.
    pub fn scope(&self) -> &CapabilityScope {
        self.scope.get_or_init(|| CapabilityScope::resolve(self.set.tags()))
    }

    /// Which axes have been decoded so far (hardware, software, models, scope).
    pub fn decoded(&self) -> [bool; 4] {
        [self.hardware.get().is_some(), self.software.get().is_some(), self.models.get().is_some(), self.scope.get().is_some()]
    }
}

#[cfg(test)]
mod tests {
    use crate::capabilities::{CapabilitySet, HardwareCapabilities, SoftwareCapabilities};

    #[test]
    fn views_decode_each_axis_lazily_and_once() {
        let caps = CapabilitySet::new()
            .with_hardware(HardwareCapabilities::new().with_memory(64))
            .with_software(SoftwareCapabilities::new().with_os("linux"));
        let v = caps.views();
        assert_eq!(v.decoded(), [false; 4]);
        assert_eq!(v.software().os.as_deref(), Some("linux"));
        assert_eq!(v.decoded(), [false, true, false, false]);
        let first = v.hardware() as *const _;
        assert_eq!(v.hardware().memory_gb, Some(64));
        assert_eq!(first, v.hardware() as *const _);
        assert!(v.models().is_empty());
        assert_eq!(v.decoded(), [true, true, true, false]);
    }
}
