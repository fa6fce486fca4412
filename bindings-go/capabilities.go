package net

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Capabilities: what a node can do, announced to the mesh and queried by
// hardware, tags, models and scope. The shapes here are the JSON wire
// shapes of net.h; every check, canonical form and match is libnet's.

// GPUInfo describes a node's GPU.
type GPUInfo struct {
	// Vendor is "nvidia", "amd", "intel", "apple" or another name.
	Vendor string `json:"vendor"`
	// Model is the product name, e.g. "h100".
	Model string `json:"model,omitempty"`
	// VRAMMB is the memory of one GPU in MiB (0: unknown).
	VRAMMB uint64 `json:"vram_mb,omitempty"`
	// VRAMGB is the same in GiB, for input only: set one of the two.
	VRAMGB uint64 `json:"vram_gb,omitempty"`
	// Count is how many such GPUs the node has (0: one).
	Count uint32 `json:"count,omitempty"`
}

// HardwareCapabilities are the typed hardware axis; zero fields are not
// announced.
type HardwareCapabilities struct {
	CPUCores   uint32   `json:"cpu_cores,omitempty"`
	CPUThreads uint32   `json:"cpu_threads,omitempty"`
	MemoryGB   uint64   `json:"memory_gb,omitempty"`
	StorageGB  uint64   `json:"storage_gb,omitempty"`
	GPU        *GPUInfo `json:"gpu,omitempty"`
}

// SoftwareCapabilities are the typed software axis; empty fields are not
// announced.
type SoftwareCapabilities struct {
	OS     string `json:"os,omitempty"`
	Arch   string `json:"arch,omitempty"`
	Kernel string `json:"kernel,omitempty"`
	// Runtimes maps a runtime name to its version, e.g. "cuda": "12.4".
	Runtimes map[string]string `json:"runtimes,omitempty"`
}

// ModelCapability is one model a node serves.
type ModelCapability struct {
	ModelID       string `json:"model_id"`
	Family        string `json:"family,omitempty"`
	ContextLength uint64 `json:"context_length,omitempty"`
}

// CapabilitySet is what a node announces: free Tags and Metadata (the wire
// shape), and optionally the typed Hardware, Software and Models sections,
// which libnet turns into reserved tags ("hardware.memory_gb=64", ...).
// Sets read back from the mesh (CapabilitiesOf, Normalize) carry Tags and
// Metadata only.
type CapabilitySet struct {
	Tags     []string              `json:"tags"`
	Metadata map[string]string     `json:"metadata"`
	Hardware *HardwareCapabilities `json:"hardware,omitempty"`
	Software *SoftwareCapabilities `json:"software,omitempty"`
	Models   []ModelCapability     `json:"models,omitempty"`
}

// EmptyCapabilities is a set with no tags and no metadata.
func EmptyCapabilities() CapabilitySet {
	return CapabilitySet{Tags: []string{}, Metadata: map[string]string{}}
}

// MarshalJSON writes the set as net.h reads it (tags and metadata never
// null).
func (c CapabilitySet) MarshalJSON() ([]byte, error) {
	type plain CapabilitySet
	p := plain(c)
	if p.Tags == nil {
		p.Tags = []string{}
	}
	if p.Metadata == nil {
		p.Metadata = map[string]string{}
	}
	return json.Marshal(p)
}

// clone copies the tags and metadata so a builder never changes the
// caller's set.
func (c CapabilitySet) clone() CapabilitySet {
	c.Tags = slices.Clone(c.Tags)
	m := make(map[string]string, len(c.Metadata)+1)
	for k, v := range c.Metadata {
		m[k] = v
	}
	c.Metadata = m
	return c
}

// WithTag is the set plus a free tag (once).
func (c CapabilitySet) WithTag(tag string) CapabilitySet {
	c = c.clone()
	if !slices.Contains(c.Tags, tag) {
		c.Tags = append(c.Tags, tag)
	}
	return c
}

// RequireTag is the set plus the flag tag "<axis>.<key>", e.g.
// RequireTag("hardware", "gpu") adds "hardware.gpu".
func (c CapabilitySet) RequireTag(axis, key string) CapabilitySet {
	return c.WithTag(axis + "." + key)
}

// RequireAxisValue is the set plus "<axis>.<key>=<value>", e.g.
// RequireAxisValue("software", "os", "linux").
func (c CapabilitySet) RequireAxisValue(axis, key, value string) CapabilitySet {
	return c.WithTag(axis + "." + key + "=" + value)
}

// WithMetadata is the set with metadata key set to value.
func (c CapabilitySet) WithMetadata(key, value string) CapabilitySet {
	c = c.clone()
	c.Metadata[key] = value
	return c
}

// Normalize is the canonical wire form of the set: typed sections turned
// into tags, duplicates dropped, in libnet's order. ErrInvalidCapabilities
// (or ErrInvalidJSON) when libnet refuses it.
func (c CapabilitySet) Normalize() (CapabilitySet, error) {
	text, err := c.normalizedJSON()
	if err != nil {
		return CapabilitySet{}, err
	}
	var out CapabilitySet
	if err := json.Unmarshal([]byte(text), &out); err != nil {
		return CapabilitySet{}, err
	}
	return out, nil
}

// CanonicalJSON is libnet's canonical `{"tags", "metadata"}` JSON of the
// set, the same bytes in every Net binding.
func (c CapabilitySet) CanonicalJSON() (string, error) { return c.normalizedJSON() }

// ParseCapabilities reads a capability set from JSON in any shape net.h
// accepts (the wire shape and/or the typed sections) and returns its
// canonical wire form. ErrInvalidJSON for unreadable input.
func ParseCapabilities(text string) (CapabilitySet, error) {
	canonical, err := normalizeText(text)
	if err != nil {
		return CapabilitySet{}, err
	}
	var out CapabilitySet
	if err := json.Unmarshal([]byte(canonical), &out); err != nil {
		return CapabilitySet{}, err
	}
	return out, nil
}

// The reserved scope tags.
const (
	ScopeTagSubnetLocal  = "scope:subnet-local"
	ScopeTagTenantPrefix = "scope:tenant:"
	ScopeTagRegionPrefix = "scope:region:"
)

func withScopeTag(tags []string, tag string) []string {
	out := slices.Clone(tags)
	if !slices.Contains(out, tag) {
		out = append(out, tag)
	}
	return out
}

// WithTenantScope is tags plus "scope:tenant:<tenant>" (once): the set is
// then visible to queries of that tenant (and to unscoped ones).
func WithTenantScope(tags []string, tenant string) []string {
	return withScopeTag(tags, ScopeTagTenantPrefix+tenant)
}

// WithRegionScope is tags plus "scope:region:<region>" (once).
func WithRegionScope(tags []string, region string) []string {
	return withScopeTag(tags, ScopeTagRegionPrefix+region)
}

// WithSubnetLocalScope is tags plus "scope:subnet-local" (once): only
// queries under ScopeSameSubnet from the same subnet see the node.
func WithSubnetLocalScope(tags []string) []string {
	return withScopeTag(tags, ScopeTagSubnetLocal)
}

// CapabilityFilter is the structured query of FindNodes; zero fields do
// not constrain.
type CapabilityFilter struct {
	RequireGPU       bool       `json:"require_gpu,omitempty"`
	GPUVendor        string     `json:"gpu_vendor,omitempty"`
	MinVRAMMB        uint64     `json:"min_vram_mb,omitempty"`
	MinMemoryGB      uint64     `json:"min_memory_gb,omitempty"`
	MinCPUCores      uint32     `json:"min_cpu_cores,omitempty"`
	MinCPUThreads    uint32     `json:"min_cpu_threads,omitempty"`
	RequireTags      []string   `json:"require_tags,omitempty"`
	Model            string     `json:"model,omitempty"`
	MinContextLength uint64     `json:"min_context_length,omitempty"`
	OS               string     `json:"os,omitempty"`
	Predicate        *Predicate `json:"predicate,omitempty"`
}

// ScopeFilter says which announced scopes a query admits. Build one with
// ScopeAny, ScopeGlobalOnly, ScopeSameSubnet, ScopeTenant, ScopeTenants,
// ScopeRegion or ScopeRegions; the zero value is ScopeAny.
type ScopeFilter struct {
	// Kind is "any", "globalOnly", "sameSubnet", "tenant", "tenants",
	// "region" or "regions" (empty: "any").
	Kind    string
	Tenant  string
	Tenants []string
	Region  string
	Regions []string
}

// ScopeAny admits every node that is not subnet-local.
func ScopeAny() ScopeFilter { return ScopeFilter{Kind: "any"} }

// ScopeGlobalOnly admits untagged (Global) nodes only.
func ScopeGlobalOnly() ScopeFilter { return ScopeFilter{Kind: "globalOnly"} }

// ScopeSameSubnet admits nodes of this node's subnet, subnet-local ones
// included.
func ScopeSameSubnet() ScopeFilter { return ScopeFilter{Kind: "sameSubnet"} }

// ScopeTenant admits Global nodes and nodes scoped to tenant.
func ScopeTenant(tenant string) ScopeFilter { return ScopeFilter{Kind: "tenant", Tenant: tenant} }

// ScopeTenants admits Global nodes and nodes scoped to any of tenants.
func ScopeTenants(tenants ...string) ScopeFilter {
	return ScopeFilter{Kind: "tenants", Tenants: slices.Clone(tenants)}
}

// ScopeRegion admits Global nodes and nodes scoped to region.
func ScopeRegion(region string) ScopeFilter { return ScopeFilter{Kind: "region", Region: region} }

// ScopeRegions admits Global nodes and nodes scoped to any of regions.
func ScopeRegions(regions ...string) ScopeFilter {
	return ScopeFilter{Kind: "regions", Regions: slices.Clone(regions)}
}

// MarshalJSON writes the tagged union net.h reads
// (`{"kind": "tenant", "tenant": "a"}`, ...).
func (s ScopeFilter) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	switch s.Kind {
	case "", "any":
		m["kind"] = "any"
	case "globalOnly", "sameSubnet":
		m["kind"] = s.Kind
	case "tenant":
		m["kind"], m["tenant"] = s.Kind, s.Tenant
	case "region":
		m["kind"], m["region"] = s.Kind, s.Region
	case "tenants":
		m["kind"], m["tenants"] = s.Kind, nonNil(s.Tenants)
	case "regions":
		m["kind"], m["regions"] = s.Kind, nonNil(s.Regions)
	default:
		// libnet names the unknown kind in its error.
		m["kind"] = s.Kind
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the tagged union.
func (s *ScopeFilter) UnmarshalJSON(b []byte) error {
	var raw struct {
		Kind    string   `json:"kind"`
		Tenant  string   `json:"tenant"`
		Tenants []string `json:"tenants"`
		Region  string   `json:"region"`
		Regions []string `json:"regions"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = ScopeFilter(raw)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// CapabilityScope is the scope a node's tags resolve to: Kind "global",
// "subnetLocal", "tenants" (Tenants) or "regions" (Regions).
type CapabilityScope struct {
	Kind    string   `json:"kind"`
	Tenants []string `json:"tenants,omitempty"`
	Regions []string `json:"regions,omitempty"`
}

// SubnetID is a 4-level subnet: Levels holds up to 4 bytes, outermost
// first; trailing zero levels are dropped (no levels: the root).
type SubnetID struct {
	Levels []uint8 `json:"levels"`
}

// MarshalJSON writes the levels as numbers (not base64).
func (s SubnetID) MarshalJSON() ([]byte, error) {
	levels := make([]uint16, len(s.Levels))
	for i, l := range s.Levels {
		levels[i] = uint16(l)
	}
	return json.Marshal(struct {
		Levels []uint16 `json:"levels"`
	}{levels})
}

// UnmarshalJSON reads the levels as numbers.
func (s *SubnetID) UnmarshalJSON(b []byte) error {
	var raw struct {
		Levels []uint16 `json:"levels"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	s.Levels = make([]uint8, len(raw.Levels))
	for i, l := range raw.Levels {
		if l > 255 {
			return fmt.Errorf("subnet level %d out of range", l)
		}
		s.Levels[i] = uint8(l)
	}
	return nil
}

// SubnetRule maps the tags starting with TagPrefix to a value of subnet
// level Level (0..3): tag TagPrefix+name gives Values[name].
type SubnetRule struct {
	TagPrefix string           `json:"tag_prefix"`
	Level     uint8            `json:"level"`
	Values    map[string]uint8 `json:"values"`
}

// SubnetPolicy derives a peer's subnet from its announced tags; every
// node holding the same policy derives the same subnets.
type SubnetPolicy struct {
	Rules []SubnetRule `json:"rules"`
}

// SchemaError is one problem validation found. Kind is one of
// "invalid_tag", "too_many_tags", "unknown_axis", "unknown_key",
// "type_mismatch", "duplicate_key", "invalid_scope", "oversize_metadata";
// the other fields are those of the kind.
type SchemaError struct {
	Kind       string `json:"kind"`
	Tag        string `json:"tag,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Axis       string `json:"axis,omitempty"`
	Key        string `json:"key,omitempty"`
	Suggestion string `json:"suggestion,omitempty"`
	Path       string `json:"path,omitempty"`
	Expected   string `json:"expected,omitempty"`
	What       string `json:"what,omitempty"`
	Size       int    `json:"size,omitempty"`
	Count      int    `json:"count,omitempty"`
	Max        int    `json:"max,omitempty"`
}

// ValidationReport is every schema problem of a set.
type ValidationReport struct {
	Valid  bool          `json:"valid"`
	Errors []SchemaError `json:"errors"`
}

// MetadataChange is one metadata entry that differs: Kind "added"
// (Value), "removed" (Value) or "changed" (Old, New).
type MetadataChange struct {
	Kind  string `json:"kind"`
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
}

// CapabilityDiff is what changed from one set to the next.
type CapabilityDiff struct {
	AddedTags   []string         `json:"added_tags"`
	RemovedTags []string         `json:"removed_tags"`
	Metadata    []MetadataChange `json:"metadata"`
}

// Empty reports whether nothing changed.
func (d CapabilityDiff) Empty() bool {
	return len(d.AddedTags) == 0 && len(d.RemovedTags) == 0 && len(d.Metadata) == 0
}

// NodeCapabilities is what a node knows of another (or of itself).
type NodeCapabilities struct {
	NodeID       uint64
	EntityID     EntityID
	Version      uint64
	Hops         uint8
	Capabilities CapabilitySet
	Subnet       SubnetID
	Scope        CapabilityScope
}

// CapabilityStats are a node's announcement counters.
type CapabilityStats struct {
	// Received counts announcements received, malformed bytes included.
	Received uint64
	// Accepted were new or newer and verified.
	Accepted uint64
	// Duplicates were exact repeats, dropped.
	Duplicates uint64
	// RejectedMalformed did not decode (or had an unsupported version).
	RejectedMalformed uint64
	// RejectedSignature failed signature verification (tampered or forged).
	RejectedSignature uint64
	// RejectedOrigin were signed by a key that does not derive the claimed
	// origin (forged).
	RejectedOrigin uint64
	// RejectedStale replayed an older version.
	RejectedStale uint64
	// RejectedHops came over the hop limit.
	RejectedHops uint64
	// Evicted entries expired by TTL.
	Evicted uint64
	// Broadcasts of this node's own capabilities.
	Broadcasts uint64
	// Forwarded messages relayed others' announcements.
	Forwarded uint64
	// Entries is the number of nodes in the index now.
	Entries uint64
}

// Rejected is the sum of every rejection counter.
func (s CapabilityStats) Rejected() uint64 {
	return s.RejectedMalformed + s.RejectedSignature + s.RejectedOrigin + s.RejectedStale + s.RejectedHops
}
