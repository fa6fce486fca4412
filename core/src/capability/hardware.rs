//! The hardware axis: [`HardwareCapabilities`], [`GpuInfo`], [`GpuVendor`].
//!
//! Tags written (in this order, each only when set):
//! `hardware.cpu_cores=<n>`, `hardware.cpu_threads=<n>`,
//! `hardware.memory_gb=<n>`, `hardware.storage_gb=<n>`, and for a GPU
//! `hardware.gpu`, `hardware.gpu_vendor=<vendor>`, `hardware.gpu_model=<text>`,
//! `hardware.gpu_vram_mb=<n>`, `hardware.gpu_count=<n>`. VRAM travels in
//! MiB; [`GpuInfo::new`] takes GiB as the SDK examples do.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::tag::{Tag, TaxonomyAxis};

/// A GPU maker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuVendor {
    /// NVIDIA.
    Nvidia,
    /// AMD.
    Amd,
    /// Intel.
    Intel,
    /// Apple silicon.
    Apple,
    /// Qualcomm.
    Qualcomm,
    /// Any other maker.
    Other,
}

impl GpuVendor {
    /// Every vendor, in a fixed order.
    pub const ALL: [GpuVendor; 6] = [Self::Nvidia, Self::Amd, Self::Intel, Self::Apple, Self::Qualcomm, Self::Other];

    /// The lowercase name used in tags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nvidia => "nvidia",
            Self::Amd => "amd",
            Self::Intel => "intel",
            Self::Apple => "apple",
            Self::Qualcomm => "qualcomm",
            Self::Other => "other",
        }
    }
}

impl fmt::Display for GpuVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for GpuVendor {
    type Err = ();

    /// Case-insensitive vendor name.
    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s)).ok_or(())
    }
}

/// One kind of GPU on a node (and how many of it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "GpuInfoJson")]
pub struct GpuInfo {
    /// Its maker.
    pub vendor: GpuVendor,
    /// Its model name (`"RTX 4090"`).
    pub model: String,
    /// Memory per GPU, MiB.
    pub vram_mb: u64,
    /// How many (default 1).
    pub count: u32,
}

/// JSON form of a GPU: VRAM as `vram_mb` or `vram_gb`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GpuInfoJson {
    vendor: GpuVendor,
    #[serde(default)]
    model: String,
    vram_mb: Option<u64>,
    vram_gb: Option<u64>,
    count: Option<u32>,
}

impl TryFrom<GpuInfoJson> for GpuInfo {
    type Error = String;

    fn try_from(j: GpuInfoJson) -> Result<Self, String> {
        let vram_mb = match (j.vram_mb, j.vram_gb) {
            (Some(_), Some(_)) => return Err("give vram_mb or vram_gb, not both".into()),
            (Some(mb), None) => mb,
            (None, Some(gb)) => gb.saturating_mul(1024),
            (None, None) => 0,
        };
        Ok(GpuInfo { vendor: j.vendor, model: j.model, vram_mb, count: j.count.unwrap_or(1) })
    }
}

impl GpuInfo {
    /// One GPU with `vram_gb` GiB of memory.
    pub fn new(vendor: GpuVendor, model: impl Into<String>, vram_gb: u64) -> Self {
        Self { vendor, model: model.into(), vram_mb: vram_gb.saturating_mul(1024), count: 1 }
    }

    /// Set the memory per GPU in MiB.
    pub fn with_vram_mb(mut self, mb: u64) -> Self {
        self.vram_mb = mb;
        self
    }

    /// Set how many GPUs of this kind the node has.
    pub fn with_count(mut self, count: u32) -> Self {
        self.count = count;
        self
    }
}

/// CPU, memory, storage and GPU of a node.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HardwareCapabilities {
    /// Physical cores.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_cores: Option<u32>,
    /// Hardware threads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_threads: Option<u32>,
    /// Memory, GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_gb: Option<u64>,
    /// Storage, GiB.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_gb: Option<u64>,
    /// The GPU, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gpu: Option<GpuInfo>,
}

impl HardwareCapabilities {
    /// Nothing declared.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set CPU cores and threads.
    pub fn with_cpu(mut self, cores: u32, threads: u32) -> Self {
        self.cpu_cores = Some(cores);
        self.cpu_threads = Some(threads);
        self
    }

    /// Set memory in GiB.
    pub fn with_memory(mut self, gb: u64) -> Self {
        self.memory_gb = Some(gb);
        self
    }

    /// Set storage in GiB.
    pub fn with_storage(mut self, gb: u64) -> Self {
        self.storage_gb = Some(gb);
        self
    }

    /// Set the GPU.
    pub fn with_gpu(mut self, gpu: GpuInfo) -> Self {
        self.gpu = Some(gpu);
        self
    }

    /// The `hardware.*` tags this describes.
    pub fn to_tags(&self) -> Vec<Tag> {
        let h = TaxonomyAxis::Hardware;
        let mut out = Vec::new();
        if let Some(n) = self.cpu_cores {
            out.push(Tag::axis_value(h, "cpu_cores", n));
        }
        if let Some(n) = self.cpu_threads {
            out.push(Tag::axis_value(h, "cpu_threads", n));
        }
        if let Some(n) = self.memory_gb {
            out.push(Tag::axis_value(h, "memory_gb", n));
        }
        if let Some(n) = self.storage_gb {
            out.push(Tag::axis_value(h, "storage_gb", n));
        }
        if let Some(g) = &self.gpu {
            out.push(Tag::flag(h, "gpu"));
            out.push(Tag::axis_value(h, "gpu_vendor", g.vendor));
            if !g.model.is_empty() {
                out.push(Tag::axis_value(h, "gpu_model", &g.model));
            }
            out.push(Tag::axis_value(h, "gpu_vram_mb", g.vram_mb));
            out.push(Tag::axis_value(h, "gpu_count", g.count));
        }
        out
    }

    /// Decode the `hardware.*` tags of `tags` (others are ignored; a value
    /// that does not parse leaves its field unset, the first occurrence
    /// of a key wins).
    pub fn from_tags(tags: &[Tag]) -> Self {
        let mut hw = Self::default();
        let (mut gpu, mut vendor, mut model, mut vram, mut count) = (false, None, None, None, None);
        for t in tags.iter().filter(|t| t.axis() == Some(TaxonomyAxis::Hardware)) {
            let v = t.value();
            let int = || v.and_then(|v| v.parse::<u64>().ok());
            match t.key_name() {
                "cpu_cores" => hw.cpu_cores = hw.cpu_cores.or(int().and_then(|n| u32::try_from(n).ok())),
                "cpu_threads" => hw.cpu_threads = hw.cpu_threads.or(int().and_then(|n| u32::try_from(n).ok())),
                "memory_gb" => hw.memory_gb = hw.memory_gb.or(int()),
                "storage_gb" => hw.storage_gb = hw.storage_gb.or(int()),
                "gpu" => gpu = true,
                "gpu_vendor" => vendor = vendor.or(v.and_then(|v| v.parse().ok())),
                "gpu_model" => model = model.or(v.map(str::to_owned)),
                "gpu_vram_mb" => vram = vram.or(int()),
                "gpu_count" => count = count.or(int().and_then(|n| u32::try_from(n).ok())),
                _ => {}
            }
        }
        if gpu || vendor.is_some() {
            hw.gpu = Some(GpuInfo {
                vendor: vendor.unwrap_or(GpuVendor::Other),
                model: model.unwrap_or_default(),
                vram_mb: vram.unwrap_or(0),
                count: count.unwrap_or(1),
            });
        }
        hw
    }
}
