package net

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Capabilities: the golden vectors of tests/vectors/capabilities checked
// byte for byte through libnet, nodes on loopback finding each other by
// hardware, tags and scope, forged announcements refused and counted, and
// typed errors for bad input.

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func wantKind(t *testing.T, err error, sentinel *Error, what string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, sentinel) {
		t.Fatalf("%s: error %v, want kind %s", what, err, sentinel.Kind)
	}
}

func TestVectorsCapabilitySets(t *testing.T) {
	var file struct {
		Cases []struct {
			Name   string          `json:"name"`
			Input  json.RawMessage `json:"input"`
			Wire   string          `json:"wire"`
			Errors json.RawMessage `json:"errors"`
		} `json:"cases"`
		Invalid []struct {
			Name  string `json:"name"`
			Input string `json:"input"`
			Kind  string `json:"kind"`
		} `json:"invalid"`
	}
	loadVectors(t, "capabilities/capability_sets.json", &file)
	if len(file.Cases) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no capability set vectors")
	}
	for _, c := range file.Cases {
		// The Go types hold every input shape: decode strictly, then let
		// libnet write the canonical form from the Go value.
		var caps CapabilitySet
		dec := json.NewDecoder(bytes.NewReader(c.Input))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&caps); err != nil {
			t.Fatalf("%s: input does not fit CapabilitySet: %v", c.Name, err)
		}
		got, err := caps.CanonicalJSON()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if got != c.Wire {
			t.Errorf("%s: canonical\n got %s\nwant %s", c.Name, got, c.Wire)
		}
		parsed, err := ParseCapabilities(string(c.Input))
		if err != nil {
			t.Fatalf("%s: ParseCapabilities: %v", c.Name, err)
		}
		if again, err := parsed.CanonicalJSON(); err != nil || again != c.Wire {
			t.Errorf("%s: parsed then canonical %q (%v), want %q", c.Name, again, err, c.Wire)
		}
		report, err := ValidateCapabilities(caps)
		if err != nil {
			t.Fatalf("%s: validate: %v", c.Name, err)
		}
		gotErrors, _ := json.Marshal(report.Errors)
		if !sameJSON(t, gotErrors, c.Errors) {
			t.Errorf("%s: schema errors\n got %s\nwant %s", c.Name, gotErrors, c.Errors)
		}
		if report.Valid != (len(report.Errors) == 0) {
			t.Errorf("%s: valid %v with %d errors", c.Name, report.Valid, len(report.Errors))
		}
	}
	for _, c := range file.Invalid {
		_, err := ParseCapabilities(c.Input)
		var e *Error
		if !errors.As(err, &e) || e.Kind != c.Kind {
			t.Errorf("%s: error %v, want kind %s", c.Name, err, c.Kind)
		}
	}
}

func TestVectorsPredicates(t *testing.T) {
	var file struct {
		Cases []struct {
			Name        string `json:"name"`
			JSON        string `json:"json"`
			HeaderName  string `json:"header_name"`
			HeaderValue string `json:"header_value"`
			Evaluations []struct {
				Tags     []string          `json:"tags"`
				Metadata map[string]string `json:"metadata"`
				Result   bool              `json:"result"`
				Trace    []TraceStep       `json:"trace"`
			} `json:"evaluations"`
		} `json:"cases"`
		Invalid []struct {
			Name        string `json:"name"`
			HeaderValue string `json:"header_value"`
			Kind        string `json:"kind"`
		} `json:"invalid"`
	}
	loadVectors(t, "capabilities/predicates.json", &file)
	if len(file.Cases) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no predicate vectors")
	}
	for _, c := range file.Cases {
		if c.HeaderName != RPCWhereHeader {
			t.Errorf("%s: header name %q, want %q", c.Name, c.HeaderName, RPCWhereHeader)
		}
		var p Predicate
		if err := json.Unmarshal([]byte(c.JSON), &p); err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		// The Go value writes back to the same bytes, and libnet's header
		// of it is the vector's.
		if mine, err := json.Marshal(p); err != nil || string(mine) != c.JSON {
			t.Errorf("%s: Go JSON %s (%v), want %s", c.Name, mine, err, c.JSON)
		}
		header, err := PredicateToRPCHeader(p)
		if err != nil || header != c.HeaderValue {
			t.Errorf("%s: header %q (%v), want %q", c.Name, header, err, c.HeaderValue)
		}
		decoded, err := PredicateFromRPCHeader(c.HeaderValue)
		if err != nil {
			t.Fatalf("%s: decode: %v", c.Name, err)
		}
		if decoded.CanonicalJSON() != c.JSON {
			t.Errorf("%s: decoded %s, want %s", c.Name, decoded.CanonicalJSON(), c.JSON)
		}
		if canon, err := decoded.JSON(); err != nil || canon != c.JSON {
			t.Errorf("%s: canonical %s (%v), want %s", c.Name, canon, err, c.JSON)
		}
		for i, ev := range c.Evaluations {
			caps := CapabilitySet{Tags: ev.Tags, Metadata: ev.Metadata}
			got, err := decoded.Evaluate(caps)
			if err != nil || got != ev.Result {
				t.Errorf("%s #%d: evaluate %v (%v), want %v", c.Name, i, got, err, ev.Result)
			}
			tr, err := decoded.EvaluateWithTrace(caps)
			if err != nil {
				t.Fatalf("%s #%d: trace: %v", c.Name, i, err)
			}
			if tr.Result != ev.Result || len(tr.Trace) != len(ev.Trace) {
				t.Fatalf("%s #%d: trace %+v, want result %v and %d steps", c.Name, i, tr, ev.Result, len(ev.Trace))
			}
			for j, step := range ev.Trace {
				g := tr.Trace[j]
				if g.ID != step.ID || g.Op != step.Op || g.Verdict != step.Verdict {
					t.Errorf("%s #%d step %d: %+v, want %+v", c.Name, i, j, g, step)
				}
			}
		}
	}
	for _, c := range file.Invalid {
		_, err := PredicateFromRPCHeader(c.HeaderValue)
		var e *Error
		if !errors.As(err, &e) || e.Kind != c.Kind || !errors.Is(err, ErrInvalidHeader) {
			t.Errorf("%s: error %v, want kind %s", c.Name, err, c.Kind)
		}
	}
}

// A predicate built with the Go builders is the seed's example, and a
// header round trip keeps its verdicts.
func TestPredicateBuilders(t *testing.T) {
	pred := PredAnd(
		PredExists("hardware.gpu"),
		PredAtLeast("hardware.memory_gb", 64),
		PredMetadataEquals("intent", "ml-training"),
	)
	caps := EmptyCapabilities().
		RequireTag("hardware", "gpu").
		RequireAxisValue("hardware", "memory_gb", "128").
		RequireAxisValue("software", "os", "linux").
		WithMetadata("intent", "ml-training")
	if !slices.Equal(caps.Tags, []string{"hardware.gpu", "hardware.memory_gb=128", "software.os=linux"}) {
		t.Fatalf("tags %v", caps.Tags)
	}
	ok, err := pred.Evaluate(caps)
	if err != nil || !ok {
		t.Fatalf("evaluate %v %v, want true", ok, err)
	}
	header, err := PredicateToRPCHeader(pred)
	if err != nil {
		t.Fatal(err)
	}
	back, err := PredicateFromRPCHeader(header)
	if err != nil {
		t.Fatal(err)
	}
	small := caps.WithMetadata("intent", "inference")
	for _, c := range []CapabilitySet{caps, small, EmptyCapabilities()} {
		a, err1 := pred.Evaluate(c)
		b, err2 := back.Evaluate(c)
		if err1 != nil || err2 != nil || a != b {
			t.Errorf("%v: built %v (%v), decoded %v (%v)", c, a, err1, b, err2)
		}
	}
	if ok, _ := pred.Evaluate(small); ok {
		t.Error("the intent clause did not hold the predicate false")
	}
	// Builders never change their receiver.
	if _, has := EmptyCapabilities().WithMetadata("k", "v").Metadata["k"]; !has {
		t.Error("WithMetadata lost its entry")
	}
	if len(caps.Metadata) != 1 || caps.Metadata["intent"] != "ml-training" {
		t.Errorf("WithMetadata changed its receiver: %v", caps.Metadata)
	}
	other := PredOr(PredNot(PredEquals("software.os", "linux")), PredBetween("hardware.gpu_vram_mb", 1, 2), PredAtMost("x", 3), PredTagPrefix("model:"))
	if ok, err := other.Evaluate(caps); err != nil || ok {
		t.Errorf("or: %v %v, want false", ok, err)
	}
	tr, err := other.EvaluateWithTrace(caps)
	if err != nil || tr.Result || len(tr.Trace) != 6 || tr.Trace[0].Op != "or" || tr.Trace[1].Op != "not" {
		t.Errorf("or trace %+v (%v)", tr, err)
	}
}

func TestCapabilityHelpers(t *testing.T) {
	tags := WithTenantScope([]string{"model:llama3-70b"}, "oem-123")
	tags = WithTenantScope(tags, "oem-123")
	tags = WithRegionScope(tags, "eu")
	tags = WithSubnetLocalScope(WithSubnetLocalScope(tags))
	want := []string{"model:llama3-70b", "scope:tenant:oem-123", "scope:region:eu", "scope:subnet-local"}
	if !slices.Equal(tags, want) {
		t.Errorf("scope helpers %v, want %v", tags, want)
	}
	prev := CapabilitySet{Tags: []string{"a", "b"}, Metadata: map[string]string{"k": "1", "gone": "x"}}
	next := CapabilitySet{Tags: []string{"b", "c"}, Metadata: map[string]string{"k": "2", "new": "y"}}
	d, err := DiffCapabilities(prev, next)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.AddedTags, []string{"c"}) || !slices.Equal(d.RemovedTags, []string{"a"}) || len(d.Metadata) != 3 {
		t.Fatalf("diff %+v", d)
	}
	kinds := map[string]MetadataChange{}
	for _, m := range d.Metadata {
		kinds[m.Key] = m
	}
	if kinds["k"].Kind != "changed" || kinds["k"].Old != "1" || kinds["k"].New != "2" ||
		kinds["gone"].Kind != "removed" || kinds["new"].Kind != "added" || kinds["new"].Value != "y" {
		t.Errorf("metadata changes %+v", d.Metadata)
	}
	if same, err := DiffCapabilities(next, next); err != nil || !same.Empty() {
		t.Errorf("diff with itself %+v (%v)", same, err)
	}
}

func TestCapabilityBadInput(t *testing.T) {
	// An unknown axis is a schema error in the report, and announcing it
	// is refused with a typed error.
	typo := CapabilitySet{Tags: []string{"hardwre.gpu"}}
	report, err := ValidateCapabilities(typo)
	if err != nil || report.Valid || len(report.Errors) != 1 || report.Errors[0].Kind != "unknown_axis" || report.Errors[0].Suggestion != "hardware" {
		t.Fatalf("report %+v (%v)", report, err)
	}
	big := CapabilitySet{Metadata: map[string]string{"k": string(bytes.Repeat([]byte{'v'}, 1<<20))}}
	report, err = ValidateCapabilities(big)
	if err != nil || report.Valid || report.Errors[0].Kind != "oversize_metadata" {
		t.Fatalf("oversize report %+v (%v)", report, err)
	}
	n := newMeshNode(t, testMeshConfig(psk42))
	wantKind(t, n.AnnounceCapabilities(typo), ErrInvalidCapabilities, "announce typo")
	wantKind(t, n.AnnounceCapabilities(big), ErrInvalidCapabilities, "announce oversize")
	bad := CapabilitySet{Hardware: &HardwareCapabilities{GPU: &GPUInfo{Vendor: "acme"}}}
	_, err = bad.Normalize()
	wantKind(t, err, ErrInvalidJSON, "unknown vendor")
	// Malformed predicates and headers.
	_, err = PredicateFromRPCHeader("not base64!")
	wantKind(t, err, ErrInvalidHeader, "bad header")
	_, err = PredicateFromRPCHeader("")
	wantKind(t, err, ErrInvalidHeader, "empty header")
	_, err = Predicate{Op: "nope"}.Evaluate(EmptyCapabilities())
	wantKind(t, err, ErrInvalidPredicate, "unknown op")
	_, err = PredBetween("x", 2, 1).Evaluate(EmptyCapabilities())
	wantKind(t, err, ErrInvalidPredicate, "min over max")
	_, err = PredicateToRPCHeader(Predicate{Op: "not"})
	wantKind(t, err, ErrInvalidJSON, "not without a clause")
	_, err = n.FindNodes(CapabilityFilter{GPUVendor: "acme"})
	wantKind(t, err, ErrInvalidJSON, "filter vendor")
	_, err = n.FindNodesScoped(CapabilityFilter{}, ScopeFilter{Kind: "galaxy"})
	wantKind(t, err, ErrInvalidJSON, "scope kind")
	_, err = n.FindNodes(CapabilityFilter{Predicate: &Predicate{Op: "nope"}})
	wantKind(t, err, ErrInvalidJSON, "filter with an unknown predicate op")
	// A bad subnet in the configuration.
	cfg := testMeshConfig(psk42)
	cfg.Subnet = &SubnetID{Levels: []uint8{1, 2, 3, 4, 5}}
	_, err = NewMeshNode(cfg)
	wantKind(t, err, ErrInvalidConfig, "five levels")
	cfg = testMeshConfig(psk42)
	cfg.SubnetPolicy = &SubnetPolicy{Rules: []SubnetRule{{TagPrefix: "r:", Level: 4, Values: map[string]uint8{"a": 1}}}}
	_, err = NewMeshNode(cfg)
	wantKind(t, err, ErrInvalidSubnet, "level 4")
	// Calls on a closed node.
	n.Close()
	wantKind(t, n.AnnounceCapabilities(EmptyCapabilities()), ErrClosed, "announce after close")
	_, err = n.FindNodes(CapabilityFilter{})
	wantKind(t, err, ErrClosed, "find after close")
	_, _, err = n.CapabilitiesOf(1)
	wantKind(t, err, ErrClosed, "capabilities_of after close")
	_, err = n.CapabilityStats()
	wantKind(t, err, ErrClosed, "stats after close")
}

// capConfig is a node that announces at once (1 ms coalescing).
func capConfig() MeshConfig {
	cfg := testMeshConfig(psk42)
	cfg.MinAnnounceInterval = time.Millisecond
	return cfg
}

// link connects a to b and starts both (Start is idempotent).
func link(t *testing.T, a, b *MeshNode) {
	t.Helper()
	ctx := within(t, 10*time.Second)
	if cerr, aerr := handshake(ctx, a, b, b.PublicKey(), b.NodeID()); cerr != nil || aerr != nil {
		t.Fatalf("handshake: connect %v, accept %v", cerr, aerr)
	}
	for _, n := range []*MeshNode{a, b} {
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
	}
}

func findsExactly(t *testing.T, n *MeshNode, f CapabilityFilter, scope *ScopeFilter, want ...uint64) bool {
	t.Helper()
	var got []uint64
	var err error
	if scope == nil {
		got, err = n.FindNodes(f)
	} else {
		got, err = n.FindNodesScoped(f, *scope)
	}
	if err != nil {
		t.Fatal(err)
	}
	want = slices.Clone(want)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// Three nodes in a line, A–B–C: each finds the others by hardware, tags
// and scope, C's announcement reaching A through B.
func TestCapabilitiesThreeNodes(t *testing.T) {
	policy := &SubnetPolicy{Rules: []SubnetRule{{TagPrefix: "region:", Level: 0, Values: map[string]uint8{"us": 3, "eu": 4}}}}
	cfgA, cfgB, cfgC := capConfig(), capConfig(), capConfig()
	cfgA.Subnet, cfgB.Subnet, cfgC.Subnet = &SubnetID{Levels: []uint8{3}}, &SubnetID{Levels: []uint8{3}}, &SubnetID{Levels: []uint8{4}}
	for _, c := range []*MeshConfig{&cfgA, &cfgB, &cfgC} {
		c.SubnetPolicy = policy
		c.CapabilityGCInterval = 50 * time.Millisecond
	}
	a, b, c := newMeshNode(t, cfgA), newMeshNode(t, cfgB), newMeshNode(t, cfgC)
	link(t, a, b)
	link(t, b, c)

	capsA := CapabilitySet{
		Tags:     []string{"region:us", "prod"},
		Hardware: &HardwareCapabilities{CPUCores: 16, CPUThreads: 32, MemoryGB: 64, GPU: &GPUInfo{Vendor: "nvidia", Model: "h100", VRAMGB: 80}},
		Models:   []ModelCapability{{ModelID: "llama-3.1-70b", Family: "llama", ContextLength: 128000}},
		Software: &SoftwareCapabilities{OS: "linux", Runtimes: map[string]string{"cuda": "12.4"}},
	}
	capsB := CapabilitySet{
		Tags:     WithSubnetLocalScope([]string{"region:us", "cache"}),
		Hardware: &HardwareCapabilities{CPUCores: 8, MemoryGB: 32},
	}
	capsC := CapabilitySet{
		Tags:     WithTenantScope([]string{"region:eu", "model:llama3-70b"}, "oem-123"),
		Hardware: &HardwareCapabilities{CPUCores: 4, MemoryGB: 256, GPU: &GPUInfo{Vendor: "amd", VRAMMB: 24576}},
		Metadata: map[string]string{"intent": "inference"},
	}
	for n, caps := range map[*MeshNode]CapabilitySet{a: capsA, b: capsB, c: capsC} {
		if err := n.AnnounceCapabilities(caps); err != nil {
			t.Fatal(err)
		}
	}
	all := []*MeshNode{a, b, c}
	if !eventually(10*time.Second, func() bool {
		for _, n := range all {
			if s, err := n.CapabilityStats(); err != nil || s.Entries != 3 {
				return false
			}
		}
		return true
	}) {
		for _, n := range all {
			s, _ := n.CapabilityStats()
			t.Logf("node %d: %+v", n.NodeID(), s)
		}
		t.Fatal("the three nodes never all knew each other")
	}
	// C learned of A through B: two hops, A's own signature.
	infoA, ok, err := c.CapabilitiesOf(a.NodeID())
	if err != nil || !ok || infoA.Hops != 2 || infoA.EntityID != a.EntityID() || infoA.NodeID != a.NodeID() {
		t.Fatalf("C's view of A: %+v ok=%v err=%v", infoA, ok, err)
	}
	if !slices.Contains(infoA.Capabilities.Tags, "hardware.gpu_vram_mb=81920") || !slices.Equal(infoA.Subnet.Levels, []uint8{3}) {
		t.Errorf("C's view of A: %+v", infoA)
	}
	infoC, ok, err := a.CapabilitiesOf(c.NodeID())
	if err != nil || !ok || infoC.Hops != 2 || infoC.Scope.Kind != "tenants" || !slices.Equal(infoC.Scope.Tenants, []string{"oem-123"}) ||
		!slices.Equal(infoC.Subnet.Levels, []uint8{4}) || infoC.Capabilities.Metadata["intent"] != "inference" {
		t.Errorf("A's view of C: %+v ok=%v err=%v", infoC, ok, err)
	}
	if _, ok, err := a.CapabilitiesOf(12345); ok || err != nil {
		t.Errorf("unknown node: ok=%v err=%v", ok, err)
	}

	// By hardware, from every node alike.
	for _, n := range all {
		if !findsExactly(t, n, CapabilityFilter{RequireGPU: true}, nil, a.NodeID(), c.NodeID()) ||
			!findsExactly(t, n, CapabilityFilter{RequireGPU: true, GPUVendor: "nvidia", MinVRAMMB: 40000}, nil, a.NodeID()) ||
			!findsExactly(t, n, CapabilityFilter{MinMemoryGB: 100}, nil, c.NodeID()) ||
			!findsExactly(t, n, CapabilityFilter{MinCPUCores: 8}, nil, a.NodeID(), b.NodeID()) ||
			!findsExactly(t, n, CapabilityFilter{Model: "llama-3.1-70b", MinContextLength: 100000, OS: "linux"}, nil, a.NodeID()) {
			t.Errorf("node %d: hardware queries disagree", n.NodeID())
		}
	}
	// By tags and predicate.
	if !findsExactly(t, c, CapabilityFilter{RequireTags: []string{"cache"}}, nil, b.NodeID()) ||
		!findsExactly(t, c, CapabilityFilter{RequireTags: []string{"region:us"}}, nil, a.NodeID(), b.NodeID()) {
		t.Error("tag queries")
	}
	pred := PredAnd(PredAtLeast("hardware.memory_gb", 64), PredNot(PredMetadataEquals("intent", "inference")))
	if !findsExactly(t, b, CapabilityFilter{Predicate: &pred}, nil, a.NodeID()) {
		t.Error("predicate query")
	}

	// By scope: every ScopeFilter kind, seen from A (subnet 3, like B).
	scopes := []struct {
		scope ScopeFilter
		want  []uint64
	}{
		{ScopeAny(), []uint64{a.NodeID(), c.NodeID()}},
		{ScopeFilter{}, []uint64{a.NodeID(), c.NodeID()}},
		{ScopeGlobalOnly(), []uint64{a.NodeID()}},
		{ScopeSameSubnet(), []uint64{a.NodeID(), b.NodeID()}},
		{ScopeTenant("oem-123"), []uint64{a.NodeID(), c.NodeID()}},
		{ScopeTenant("other"), []uint64{a.NodeID()}},
		{ScopeTenants("x", "oem-123"), []uint64{a.NodeID(), c.NodeID()}},
		{ScopeRegion("eu"), []uint64{a.NodeID()}},
		{ScopeRegions("eu", "us"), []uint64{a.NodeID()}},
	}
	for _, s := range scopes {
		if !findsExactly(t, a, CapabilityFilter{}, &s.scope, s.want...) {
			got, _ := a.FindNodesScoped(CapabilityFilter{}, s.scope)
			t.Errorf("scope %+v: got %v, want %v", s.scope, got, s.want)
		}
	}
	// C is in another subnet: B's subnet-local announcement is hidden from it.
	if !findsExactly(t, c, CapabilityFilter{}, &ScopeFilter{Kind: "sameSubnet"}, c.NodeID()) {
		got, _ := c.FindNodesScoped(CapabilityFilter{}, ScopeSameSubnet())
		t.Errorf("C sameSubnet: %v", got)
	}
	best, ok, err := b.FindBestNodeScoped(CapabilityFilter{RequireGPU: true}, ScopeTenant("oem-123"))
	if err != nil || !ok || best != a.NodeID() {
		t.Errorf("best GPU node: %d ok=%v err=%v, want A", best, ok, err)
	}
	if _, ok, err := b.FindBestNodeScoped(CapabilityFilter{MinMemoryGB: 1 << 20}, ScopeAny()); ok || err != nil {
		t.Errorf("best of nothing: ok=%v err=%v", ok, err)
	}

	// A new version replaces the old everywhere.
	if err := c.AnnounceCapabilities(CapabilitySet{Tags: []string{"region:eu", "drained"}}); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool {
		return findsExactly(t, a, CapabilityFilter{RequireTags: []string{"drained"}}, nil, c.NodeID()) &&
			findsExactly(t, a, CapabilityFilter{RequireGPU: true}, nil, a.NodeID())
	}) {
		t.Error("A never saw C's new version")
	}
}

// Forged, tampered, replayed and malformed announcements sent to a node
// (through the test hook, as a malicious forwarder would) are refused and
// counted, while the golden valid ones are indexed byte for byte.
func TestCapabilityAnnouncementVectors(t *testing.T) {
	var file struct {
		Valid []struct {
			Name         string          `json:"name"`
			Seed         string          `json:"seed"`
			Capabilities json.RawMessage `json:"capabilities"`
			Version      string          `json:"version"`
			HopCount     int             `json:"hop_count"`
			Origin       string          `json:"origin"`
			EntityID     string          `json:"entity_id"`
			Wire         string          `json:"wire"`
		} `json:"valid"`
		Invalid []struct {
			Name string `json:"name"`
			Wire string `json:"wire"`
			Kind string `json:"kind"`
		} `json:"invalid"`
	}
	loadVectors(t, "capabilities/announcements.json", &file)
	if len(file.Valid) == 0 || len(file.Invalid) == 0 {
		t.Fatal("no announcement vectors")
	}
	a, b := newMeshNode(t, capConfig()), newMeshNode(t, capConfig())
	link(t, a, b)
	before, err := b.CapabilityStats()
	if err != nil {
		t.Fatal(err)
	}
	var want CapabilityStats
	for _, c := range file.Invalid {
		if err := a.sendCapabilityBytes(b.NodeID(), unhex(t, c.Wire)); err != nil {
			t.Fatalf("%s: send: %v", c.Name, err)
		}
		switch c.Kind {
		case "malformed_announcement", "unsupported_version":
			want.RejectedMalformed++
		case "invalid_signature":
			want.RejectedSignature++
		case "origin_mismatch":
			want.RejectedOrigin++
		default:
			t.Fatalf("%s: unexpected kind %s", c.Name, c.Kind)
		}
	}
	rejections := func() CapabilityStats {
		s, err := b.CapabilityStats()
		if err != nil {
			t.Fatal(err)
		}
		return CapabilityStats{
			RejectedMalformed: s.RejectedMalformed - before.RejectedMalformed,
			RejectedSignature: s.RejectedSignature - before.RejectedSignature,
			RejectedOrigin:    s.RejectedOrigin - before.RejectedOrigin,
			RejectedStale:     s.RejectedStale - before.RejectedStale,
		}
	}
	if !eventually(10*time.Second, func() bool { return rejections() == want }) {
		t.Fatalf("rejections %+v, want %+v", rejections(), want)
	}
	for _, v := range file.Valid {
		origin := decimal(t, v.Origin)
		version := decimal(t, v.Version)
		hops := v.HopCount
		if err := a.sendCapabilityBytes(b.NodeID(), unhex(t, v.Wire)); err != nil {
			t.Fatalf("%s: send: %v", v.Name, err)
		}
		var info NodeCapabilities
		if !eventually(10*time.Second, func() bool {
			got, ok, err := b.CapabilitiesOf(origin)
			info = got
			return err == nil && ok && got.Version == version
		}) {
			t.Fatalf("%s: B never indexed origin %d version %d (%+v)", v.Name, origin, version, info)
		}
		text, err := info.Capabilities.CanonicalJSON()
		if err != nil {
			t.Fatal(err)
		}
		if !sameJSON(t, []byte(text), v.Capabilities) || info.EntityID.String() != v.EntityID || int(info.Hops) != hops+1 {
			t.Errorf("%s: indexed %+v, want %s from %s at %d hops", v.Name, info, v.Capabilities, v.EntityID, hops+1)
		}
	}
	// Replaying the first (older) version of an origin is refused as stale.
	if err := a.sendCapabilityBytes(b.NodeID(), unhex(t, file.Valid[0].Wire)); err != nil {
		t.Fatal(err)
	}
	want.RejectedStale = 1
	if !eventually(10*time.Second, func() bool { return rejections() == want }) {
		t.Errorf("after a replay: rejections %+v, want %+v", rejections(), want)
	}
	if info, _, _ := b.CapabilitiesOf(decimal(t, file.Valid[0].Origin)); info.Version != decimal(t, file.Valid[1].Version) {
		t.Errorf("the replay replaced the newer version: %+v", info)
	}
}

// A node announcing its own tags resolves them to the vector's scope;
// tags the schema refuses are refused by the announce.
func TestVectorsScopeResolution(t *testing.T) {
	var file struct {
		Resolution []struct {
			Tags  []string        `json:"tags"`
			Scope json.RawMessage `json:"scope"`
		} `json:"resolution"`
	}
	loadVectors(t, "capabilities/scopes.json", &file)
	if len(file.Resolution) == 0 {
		t.Fatal("no scope vectors")
	}
	n := newMeshNode(t, capConfig())
	for _, c := range file.Resolution {
		caps := CapabilitySet{Tags: c.Tags}
		report, err := ValidateCapabilities(caps)
		if err != nil {
			t.Fatal(err)
		}
		err = n.AnnounceCapabilities(caps)
		if !report.Valid {
			wantKind(t, err, ErrInvalidCapabilities, "announce "+strconv.Quote(c.Tags[0]))
			continue
		}
		if err != nil {
			t.Fatalf("%v: %v", c.Tags, err)
		}
		info, ok, err := n.CapabilitiesOf(n.NodeID())
		if err != nil || !ok {
			t.Fatalf("%v: self unknown (%v)", c.Tags, err)
		}
		got, _ := json.Marshal(info.Scope)
		if !sameJSON(t, got, c.Scope) {
			t.Errorf("%v: scope %s, want %s", c.Tags, got, c.Scope)
		}
	}
}

// A node with the vectors' policy derives each peer's subnet from its
// announced tags.
func TestVectorsSubnets(t *testing.T) {
	var file struct {
		Policy SubnetPolicy `json:"policy"`
		Cases  []struct {
			Tags   []string `json:"tags"`
			Subnet SubnetID `json:"subnet"`
		} `json:"cases"`
	}
	loadVectors(t, "capabilities/subnets.json", &file)
	if len(file.Cases) == 0 {
		t.Fatal("no subnet vectors")
	}
	cfgA := capConfig()
	cfgA.SubnetPolicy = &file.Policy
	a, b := newMeshNode(t, cfgA), newMeshNode(t, capConfig())
	link(t, a, b)
	for i, c := range file.Cases {
		// A marker tag makes every case a distinct set to wait for.
		marker := "case-" + strconv.Itoa(i)
		if err := b.AnnounceCapabilities(CapabilitySet{Tags: append(slices.Clone(c.Tags), marker)}); err != nil {
			t.Fatal(err)
		}
		var info NodeCapabilities
		if !eventually(10*time.Second, func() bool {
			got, ok, err := a.CapabilitiesOf(b.NodeID())
			info = got
			return err == nil && ok && slices.Contains(got.Capabilities.Tags, marker)
		}) {
			t.Fatalf("%v: never reached A", c.Tags)
		}
		if !slices.Equal(info.Subnet.Levels, c.Subnet.Levels) {
			t.Errorf("%v: subnet %v, want %v", c.Tags, info.Subnet.Levels, c.Subnet.Levels)
		}
	}
}

// A node that leaves drops out of its peers' queries at once, and its
// entry is evicted once its TTL runs out.
func TestCapabilityTTLExpiry(t *testing.T) {
	cfgA, cfgB := capConfig(), capConfig()
	cfgA.CapabilityGCInterval = 20 * time.Millisecond
	cfgB.CapabilityTTL = time.Second
	a, b := newMeshNode(t, cfgA), newMeshNode(t, cfgB)
	link(t, a, b)
	if err := b.AnnounceCapabilities(CapabilitySet{Tags: []string{"ephemeral"}}); err != nil {
		t.Fatal(err)
	}
	if !eventually(10*time.Second, func() bool {
		return findsExactly(t, a, CapabilityFilter{RequireTags: []string{"ephemeral"}}, nil, b.NodeID())
	}) {
		t.Fatal("A never saw B")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if !eventually(15*time.Second, func() bool { return findsExactly(t, a, CapabilityFilter{RequireTags: []string{"ephemeral"}}, nil) }) {
		t.Fatal("B's entry outlived B")
	}
	if !eventually(15*time.Second, func() bool {
		_, ok, err := a.CapabilitiesOf(b.NodeID())
		return !ok && err == nil
	}) {
		t.Fatal("B's entry never expired")
	}
	if s, err := a.CapabilityStats(); err != nil || s.Evicted != 1 {
		t.Errorf("stats %+v (%v), want one eviction", s, err)
	}
}
