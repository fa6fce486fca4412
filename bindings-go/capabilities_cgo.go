package net

/*
#include "capabilities_shim.h"
*/
import "C"

import (
	"encoding/hex"
	"encoding/json"
	"runtime"
	"strconv"
	"unsafe"
)

// The calls into libnet behind capabilities.go and capabilities_predicate.go.

// textArg is s's bytes for a (ptr, len) parameter; cgo pins the string's
// memory for the call and C keeps nothing.
func textArg(s string) (*C.char, C.size_t) {
	if len(s) == 0 {
		// net.h refuses NULL; an empty text is still a valid pointer.
		return (*C.char)(unsafe.Pointer(&emptyText[0])), 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s))), C.size_t(len(s))
}

var emptyText = [1]byte{}

// takeText turns a shim's text result into a Go string (freeing the
// library's copy) or its error.
func takeText(r C.netgo_cap_text) (string, error) {
	if r.code < 0 {
		return "", errorOf(r.code, r.err)
	}
	if r.text == nil {
		return "", nil
	}
	defer C.net_free_string(r.text)
	return C.GoString(r.text), nil
}

func marshalArg(what string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", &Error{Kind: ErrInvalidJSON.Kind, Message: what + ": " + err.Error(), Code: -3}
	}
	return string(b), nil
}

func (c CapabilitySet) json() (string, error) { return marshalArg("capabilities", c) }

func (c CapabilitySet) normalizedJSON() (string, error) {
	text, err := c.json()
	if err != nil {
		return "", err
	}
	return normalizeText(text)
}

func normalizeText(text string) (string, error) {
	p, n := textArg(text)
	return takeText(C.netgo_capabilities_normalize(p, n))
}

// JSON is the predicate's canonical wire JSON, as libnet writes it (the
// same bytes in every Net binding). ErrInvalidPredicate when malformed.
func (p Predicate) JSON() (string, error) {
	header, err := PredicateToRPCHeader(p)
	if err != nil {
		return "", err
	}
	back, err := PredicateFromRPCHeader(header)
	if err != nil {
		return "", err
	}
	return back.canonical, nil
}

// Evaluate reports whether the predicate holds for caps.
// ErrInvalidPredicate for a malformed predicate, ErrInvalidCapabilities
// or ErrInvalidJSON for a bad set.
func (p Predicate) Evaluate(caps CapabilitySet) (bool, error) {
	pt, err := marshalArg("predicate", p)
	if err != nil {
		return false, err
	}
	ct, err := caps.json()
	if err != nil {
		return false, err
	}
	pp, pn := textArg(pt)
	cp, cn := textArg(ct)
	s := C.netgo_predicate_evaluate(pp, pn, cp, cn)
	if s.code < 0 {
		return false, statusErr(s)
	}
	return s.code == 1, nil
}

// EvaluateWithTrace evaluates and reports every clause's verdict, with
// the children an AND or OR skipped after deciding.
func (p Predicate) EvaluateWithTrace(caps CapabilitySet) (PredicateTrace, error) {
	pt, err := marshalArg("predicate", p)
	if err != nil {
		return PredicateTrace{}, err
	}
	ct, err := caps.json()
	if err != nil {
		return PredicateTrace{}, err
	}
	pp, pn := textArg(pt)
	cp, cn := textArg(ct)
	text, err := takeText(C.netgo_predicate_evaluate_with_trace(pp, pn, cp, cn))
	if err != nil {
		return PredicateTrace{}, err
	}
	var tr PredicateTrace
	return tr, json.Unmarshal([]byte(text), &tr)
}

// PredicateToRPCHeader is the value of the RPCWhereHeader header that
// carries p: base64url without padding of its canonical JSON.
func PredicateToRPCHeader(p Predicate) (string, error) {
	pt, err := marshalArg("predicate", p)
	if err != nil {
		return "", err
	}
	pp, pn := textArg(pt)
	return takeText(C.netgo_predicate_to_header(pp, pn))
}

// DecodedPredicate is a predicate read from a header, with the canonical
// JSON it decoded from.
type DecodedPredicate struct {
	Predicate
	canonical string
}

// CanonicalJSON is the canonical wire JSON the header carried.
func (d DecodedPredicate) CanonicalJSON() string { return d.canonical }

// PredicateFromRPCHeader decodes an RPCWhereHeader value. ErrInvalidHeader
// when it is not base64url of a well-formed predicate.
func PredicateFromRPCHeader(value string) (DecodedPredicate, error) {
	vp, vn := textArg(value)
	text, err := takeText(C.netgo_predicate_from_header((*C.uint8_t)(unsafe.Pointer(vp)), vn))
	if err != nil {
		return DecodedPredicate{}, err
	}
	var p Predicate
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return DecodedPredicate{}, err
	}
	return DecodedPredicate{Predicate: p, canonical: text}, nil
}

// ValidateCapabilities checks caps against the schema: typos of reserved
// axes, unknown keys, type mismatches, bad scope tags, oversize metadata.
// The report lists every problem; the error is for input libnet cannot
// read at all (ErrInvalidJSON, ErrInvalidCapabilities).
func ValidateCapabilities(caps CapabilitySet) (ValidationReport, error) {
	ct, err := caps.json()
	if err != nil {
		return ValidationReport{}, err
	}
	cp, cn := textArg(ct)
	text, err := takeText(C.netgo_capabilities_validate(cp, cn))
	if err != nil {
		return ValidationReport{}, err
	}
	var r ValidationReport
	return r, json.Unmarshal([]byte(text), &r)
}

// DiffCapabilities is what changed from prev to next.
func DiffCapabilities(prev, next CapabilitySet) (CapabilityDiff, error) {
	pt, err := prev.json()
	if err != nil {
		return CapabilityDiff{}, err
	}
	nt, err := next.json()
	if err != nil {
		return CapabilityDiff{}, err
	}
	pp, pn := textArg(pt)
	np, nn := textArg(nt)
	text, err := takeText(C.netgo_capabilities_diff(pp, pn, np, nn))
	if err != nil {
		return CapabilityDiff{}, err
	}
	var d CapabilityDiff
	return d, json.Unmarshal([]byte(text), &d)
}

// ---- on a mesh node ----

// AnnounceCapabilities validates caps, indexes them locally at once and
// broadcasts them, signed, to every connected peer (and to peers that
// connect later); peers forward them up to 16 hops. A burst of calls is
// coalesced into few broadcasts. Never blocks on the network.
// ErrInvalidCapabilities (the message lists the schema errors),
// ErrClosed.
func (n *MeshNode) AnnounceCapabilities(caps CapabilitySet) error {
	ct, err := caps.json()
	if err != nil {
		return err
	}
	h := n.h()
	if h == 0 {
		return closedError("mesh node")
	}
	cp, cn := textArg(ct)
	err = statusErr(C.netgo_mesh_announce_capabilities(h, cp, cn))
	runtime.KeepAlive(n)
	return err
}

// FindNodes is the ids of the nodes whose capabilities match filter, this
// node included on a self-match, sorted. No scope filtering.
func (n *MeshNode) FindNodes(filter CapabilityFilter) ([]uint64, error) {
	return n.findNodes(filter, nil)
}

// FindNodesScoped is FindNodes restricted to the nodes scope admits.
func (n *MeshNode) FindNodesScoped(filter CapabilityFilter, scope ScopeFilter) ([]uint64, error) {
	return n.findNodes(filter, &scope)
}

func (n *MeshNode) findNodes(filter CapabilityFilter, scope *ScopeFilter) ([]uint64, error) {
	ft, err := marshalArg("filter", filter)
	if err != nil {
		return nil, err
	}
	var sp *C.char
	var sn C.size_t
	if scope != nil {
		st, err := marshalArg("scope", *scope)
		if err != nil {
			return nil, err
		}
		sp, sn = textArg(st)
	}
	fp, fn := textArg(ft)
	ids := make([]uint64, 16)
	for {
		h := n.h()
		if h == 0 {
			return nil, closedError("mesh node")
		}
		s := C.netgo_mesh_find_nodes(h, fp, fn, sp, sn, (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(ids))), C.size_t(len(ids)))
		runtime.KeepAlive(n)
		if s.code < 0 {
			return nil, statusErr(s)
		}
		if count := int(s.code); count <= len(ids) {
			return ids[:count], nil
		}
		// More matched than fit: the index grew meanwhile or the buffer
		// was small; ask again with room for all.
		ids = make([]uint64, int(s.code)+16)
	}
}

// FindBestNodeScoped is the best match under scope (most GPU memory, then
// memory, then CPU threads, then fewest hops, then lowest id); ok is
// false when nothing matches.
func (n *MeshNode) FindBestNodeScoped(filter CapabilityFilter, scope ScopeFilter) (id uint64, ok bool, err error) {
	ft, err := marshalArg("filter", filter)
	if err != nil {
		return 0, false, err
	}
	st, err := marshalArg("scope", scope)
	if err != nil {
		return 0, false, err
	}
	h := n.h()
	if h == 0 {
		return 0, false, closedError("mesh node")
	}
	fp, fn := textArg(ft)
	sp, sn := textArg(st)
	var out C.uint64_t
	s := C.netgo_mesh_find_best_node_scoped(h, fp, fn, sp, sn, &out)
	runtime.KeepAlive(n)
	if s.code < 0 {
		return 0, false, statusErr(s)
	}
	return uint64(out), s.code == 1, nil
}

// CapabilitiesOf is what this node knows of node (itself included); ok is
// false when the node is unknown (never announced, or expired).
func (n *MeshNode) CapabilitiesOf(node uint64) (info NodeCapabilities, ok bool, err error) {
	h := n.h()
	if h == 0 {
		return NodeCapabilities{}, false, closedError("mesh node")
	}
	r := C.netgo_mesh_capabilities_of(h, C.uint64_t(node))
	runtime.KeepAlive(n)
	text, err := takeText(r)
	if err != nil || r.code == 0 {
		return NodeCapabilities{}, false, err
	}
	var raw struct {
		NodeID       string          `json:"node_id"`
		EntityID     string          `json:"entity_id"`
		Version      string          `json:"version"`
		Hops         uint8           `json:"hops"`
		Capabilities CapabilitySet   `json:"capabilities"`
		Subnet       SubnetID        `json:"subnet"`
		Scope        CapabilityScope `json:"scope"`
	}
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return NodeCapabilities{}, false, err
	}
	info = NodeCapabilities{Hops: raw.Hops, Capabilities: raw.Capabilities, Subnet: raw.Subnet, Scope: raw.Scope}
	if info.NodeID, err = strconv.ParseUint(raw.NodeID, 10, 64); err != nil {
		return NodeCapabilities{}, false, err
	}
	if info.Version, err = strconv.ParseUint(raw.Version, 10, 64); err != nil {
		return NodeCapabilities{}, false, err
	}
	entity, err := hex.DecodeString(raw.EntityID)
	if err != nil || len(entity) != EntityIDLen {
		return NodeCapabilities{}, false, &Error{Kind: "invalid_entity_id", Message: "capabilities_of: entity id " + raw.EntityID}
	}
	copy(info.EntityID[:], entity)
	return info, true, nil
}

// CapabilityStats reads the node's announcement counters.
func (n *MeshNode) CapabilityStats() (CapabilityStats, error) {
	h := n.h()
	if h == 0 {
		return CapabilityStats{}, closedError("mesh node")
	}
	var s C.net_capability_stats_t
	err := statusErr(C.netgo_mesh_capability_stats(h, &s))
	runtime.KeepAlive(n)
	if err != nil {
		return CapabilityStats{}, err
	}
	return CapabilityStats{
		Received:          uint64(s.received),
		Accepted:          uint64(s.accepted),
		Duplicates:        uint64(s.duplicates),
		RejectedMalformed: uint64(s.rejected_malformed),
		RejectedSignature: uint64(s.rejected_signature),
		RejectedOrigin:    uint64(s.rejected_origin),
		RejectedStale:     uint64(s.rejected_stale),
		RejectedHops:      uint64(s.rejected_hops),
		Evicted:           uint64(s.evicted),
		Broadcasts:        uint64(s.broadcasts),
		Forwarded:         uint64(s.forwarded),
		Entries:           uint64(s.entries),
	}, nil
}

// sendCapabilityBytes is net.h's test hook: raw bytes on the capability
// stream to peer, as a malicious forwarder would send them. Tests only.
func (n *MeshNode) sendCapabilityBytes(peer uint64, raw []byte) error {
	h := n.h()
	if h == 0 {
		return closedError("mesh node")
	}
	err := statusErr(C.netgo_mesh_send_capability_bytes(h, C.uint64_t(peer), bytesPtr(raw), C.size_t(len(raw))))
	runtime.KeepAlive(n)
	return err
}
