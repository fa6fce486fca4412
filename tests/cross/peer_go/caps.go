package main

// The capability cases of the Go peer (protocol: tests/cross/README.md,
// "Capabilities"): a MeshNode that announces its own capability set and
// answers the driver's commands, one JSON line each, on stdin / stdout.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

const capsWait = 30 * time.Second // a `wait` or `wait_stats`; the driver's own deadline is the real bound

// subnetPolicy is the mesh-wide policy every peer holds; this node is in
// region eu, subnet [3].
var subnetPolicy = net.SubnetPolicy{Rules: []net.SubnetRule{
	{TagPrefix: "region:", Level: 0, Values: map[string]uint8{"eu": 3, "us": 4}},
}}

// capsOfGo is what this node announces: no GPU, 64 cores, 512 GB; Global
// scope.
var capsOfGo = net.CapabilitySet{
	Tags:     []string{"lang:go", "cross:caps", "region:eu"},
	Metadata: map[string]string{"face": "go"},
	Hardware: &net.HardwareCapabilities{CPUCores: 64, CPUThreads: 128, MemoryGB: 512},
	Software: &net.SoftwareCapabilities{OS: "linux"},
}

// capsCommand is every field any command carries.
type capsCommand struct {
	Op      string            `json:"op"`
	Peer    hello             `json:"peer"`
	Nodes   []string          `json:"nodes"`
	Queries []json.RawMessage `json:"queries"`
	AtLeast map[string]uint64 `json:"at_least"`
	Header  string            `json:"header"`
	Caps    []json.RawMessage `json:"caps"`
}

type capsQuery struct {
	Filter json.RawMessage  `json:"filter"`
	Scope  *net.ScopeFilter `json:"scope"`
}

type nodeView struct {
	Hops   uint8               `json:"hops"`
	Tags   []string            `json:"tags"`
	Scope  net.CapabilityScope `json:"scope"`
	Subnet []int               `json:"subnet"` // numbers, not base64 as []uint8 would be
}

// capsError is a failure with the kind the driver reads.
type capsError struct{ kind, msg string }

func (e *capsError) Error() string { return e.msg }

func capsFailure(err error) map[string]any {
	if e, ok := err.(*capsError); ok {
		return map[string]any{"ok": false, "kind": e.kind, "error": e.msg}
	}
	f := failure(err)
	return map[string]any{"ok": false, "kind": f.Kind, "error": f.Error}
}

func statsMap(node *net.MeshNode) (map[string]uint64, error) {
	s, err := node.CapabilityStats()
	if err != nil {
		return nil, err
	}
	return map[string]uint64{
		"received": s.Received, "accepted": s.Accepted, "duplicates": s.Duplicates,
		"rejected_malformed": s.RejectedMalformed, "rejected_signature": s.RejectedSignature,
		"rejected_origin": s.RejectedOrigin, "rejected_stale": s.RejectedStale, "rejected_hops": s.RejectedHops,
		"evicted": s.Evicted, "broadcasts": s.Broadcasts, "forwarded": s.Forwarded, "entries": s.Entries,
	}, nil
}

func lookup(node *net.MeshNode, ids []string) (map[string]*nodeView, error) {
	out := map[string]*nodeView{}
	for _, id := range ids {
		n, err := strconv.ParseUint(id, 10, 64)
		if err != nil {
			return nil, err
		}
		info, ok, err := node.CapabilitiesOf(n)
		if err != nil {
			return nil, err
		}
		out[id] = nil
		if ok {
			levels := []int{}
			for _, l := range info.Subnet.Levels {
				levels = append(levels, int(l))
			}
			out[id] = &nodeView{Hops: info.Hops, Tags: info.Capabilities.Tags, Scope: info.Scope, Subnet: levels}
		}
	}
	return out, nil
}

// until polls check (state the receive task changes) up to capsWait.
func until(check func() (bool, error), what string) error {
	deadline := time.Now().Add(capsWait)
	for {
		done, err := check()
		if err != nil || done {
			return err
		}
		if time.Now().After(deadline) {
			return &capsError{"timeout", "never happened: " + what}
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// strict decodes JSON refusing unknown fields, so a misspelt filter key
// fails instead of matching everything.
func strict(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	return d.Decode(v)
}

func capsCommandRun(node *net.MeshNode, cmd capsCommand) (map[string]any, error) {
	switch cmd.Op {
	case "connect", "accept":
		peerID, err := strconv.ParseUint(cmd.Peer.NodeID, 10, 64)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(context.Background(), handshakeTimeout)
		defer cancel()
		if cmd.Op == "connect" {
			key, err := hex.DecodeString(cmd.Peer.PublicKey)
			if err != nil {
				return nil, err
			}
			err = node.Connect(ctx, cmd.Peer.Addr, key, peerID)
			if err != nil {
				return nil, err
			}
		} else if _, err := node.Accept(ctx, peerID); err != nil {
			return nil, err
		}
		return map[string]any{}, node.Start() // idempotent
	case "announce":
		return map[string]any{}, node.AnnounceCapabilities(capsOfGo)
	case "wait", "lookup":
		if cmd.Op == "wait" {
			err := until(func() (bool, error) {
				for _, id := range cmd.Nodes {
					n, err := strconv.ParseUint(id, 10, 64)
					if err != nil {
						return false, err
					}
					if _, ok, err := node.CapabilitiesOf(n); err != nil || !ok {
						return false, err
					}
				}
				return true, nil
			}, fmt.Sprint("knowing ", cmd.Nodes))
			if err != nil {
				return nil, err
			}
		}
		nodes, err := lookup(node, cmd.Nodes)
		return map[string]any{"nodes": nodes}, err
	case "find":
		results := [][]string{}
		for _, raw := range cmd.Queries {
			var q capsQuery
			if err := strict(raw, &q); err != nil {
				return nil, err
			}
			var f net.CapabilityFilter
			if err := strict(q.Filter, &f); err != nil {
				return nil, err
			}
			var ids []uint64
			var err error
			if q.Scope == nil {
				ids, err = node.FindNodes(f)
			} else {
				ids, err = node.FindNodesScoped(f, *q.Scope)
			}
			if err != nil {
				return nil, err
			}
			found := []string{}
			for _, id := range ids {
				found = append(found, strconv.FormatUint(id, 10))
			}
			results = append(results, found)
		}
		return map[string]any{"results": results}, nil
	case "stats", "wait_stats":
		if cmd.Op == "wait_stats" {
			err := until(func() (bool, error) {
				s, err := statsMap(node)
				if err != nil {
					return false, err
				}
				for k, v := range cmd.AtLeast {
					if s[k] < v {
						return false, nil
					}
				}
				return true, nil
			}, fmt.Sprint("stats reaching ", cmd.AtLeast))
			if err != nil {
				return nil, err
			}
		}
		s, err := statsMap(node)
		return map[string]any{"stats": s}, err
	case "predicate":
		// The Go half of the header case: decode a header made elsewhere,
		// evaluate it here.
		pred, err := net.PredicateFromRPCHeader(cmd.Header)
		if err != nil {
			return nil, err
		}
		verdicts := []bool{}
		for _, raw := range cmd.Caps {
			caps, err := net.ParseCapabilities(string(raw))
			if err != nil {
				return nil, err
			}
			v, err := pred.Evaluate(caps)
			if err != nil {
				return nil, err
			}
			verdicts = append(verdicts, v)
		}
		return map[string]any{"json": pred.CanonicalJSON(), "verdicts": verdicts}, nil
	case "send_raw":
		// bindings-go keeps its raw-bytes hook (sendCapabilityBytes) to its
		// own tests; the driver has the other faces send.
		return nil, &capsError{"unsupported", "the Go face exports no raw capability-bytes hook"}
	}
	return nil, &capsError{"unsupported", "unknown op " + strconv.Quote(cmd.Op)}
}

func runCaps(psk []byte) int {
	node, err := net.NewMeshNode(net.MeshConfig{
		BindAddr:            "127.0.0.1:0",
		PSK:                 psk,
		HandshakeTimeout:    handshakeTimeout,
		Subnet:              &net.SubnetID{Levels: []uint8{3}},
		SubnetPolicy:        &subnetPolicy,
		MinAnnounceInterval: time.Millisecond,
	})
	if err != nil {
		emit(capsFailure(err))
		return 1
	}
	defer node.Close()
	emit(hello{Addr: node.LocalAddr(), PublicKey: hex.EncodeToString(node.PublicKey()), NodeID: strconv.FormatUint(node.NodeID(), 10)})

	// One reply per command line, until the driver closes stdin.
	code := 0
	lines := bufio.NewScanner(os.Stdin)
	lines.Buffer(make([]byte, 0, 64*1024), 4<<20)
	for lines.Scan() {
		var cmd capsCommand
		reply, err := map[string]any(nil), json.Unmarshal(lines.Bytes(), &cmd)
		if err == nil {
			reply, err = capsCommandRun(node, cmd)
		}
		if err != nil {
			reply, code = capsFailure(err), 1
		} else {
			reply["ok"] = true
		}
		emit(reply)
	}
	return code
}
