package net

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	gonet "net"
	"testing"
	"time"
)

// freeUDPPort finds a loopback port nobody holds (for a responder the
// initiator must know the address of in advance).
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := gonet.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*gonet.UDPAddr).Port
}

// linkedNodes starts a responder (in a goroutine: NewNode returns once
// its peer has arrived) and an initiator dialling it.
func linkedNodes(t *testing.T, pin bool) (responder, initiator *Node) {
	t.Helper()
	them, err := IdentityFromSeed(bytes.Repeat([]byte{0x11}, 32))
	if err != nil {
		t.Fatal(err)
	}
	me, _ := GenerateIdentity()
	key, err := them.MeshPublicKey()
	if err != nil || len(key) != 32 {
		t.Fatalf("MeshPublicKey = %x, %v", key, err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t))
	r := &MeshTransport{Bind: addr, PSK: psk42, Identity: them, HandshakeTimeout: 30 * time.Second}
	i := &MeshTransport{Bind: "127.0.0.1:0", Peer: addr, PSK: psk42, PeerPublicKey: key, Identity: me}
	if pin {
		r.PeerNodeID, i.PeerNodeID = me.NodeID(), them.NodeID()
	}
	done := make(chan error, 1)
	go func() {
		var err error
		responder, err = NewNode(Config{Shards: 2, Mesh: r})
		done <- err
	}()
	initiator = newNode(t, Config{Shards: 2, Mesh: i})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { responder.Close() })
	return responder, initiator
}

// pollUntil reads n's whole log until it holds want events.
func pollUntil(t *testing.T, n *Node, want int) []Event {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var all []Event
		cursor := ""
		for {
			page, err := n.Poll(context.Background(), PollRequest{Limit: 4096, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, page.Events...)
			cursor = page.NextCursor
			if !page.HasMore {
				break
			}
		}
		if len(all) >= want {
			return all
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d events arrived", len(all), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestBusOverMeshLinkDeliversEachEventOnceInOrder(t *testing.T) {
	for _, pin := range []bool{false, true} {
		responder, initiator := linkedNodes(t, pin)
		const n = 10_000
		for i := range n {
			if _, err := initiator.EmitString(fmt.Sprintf(`{"i":%d}`, i)); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := responder.EmitString(`{"from":"responder"}`); err != nil {
			t.Fatal(err)
		}
		// Closing the emitter drains it and waits for the peer's acks.
		if err := initiator.Close(); err != nil {
			t.Fatal(err)
		}
		events := pollUntil(t, responder, n+1)
		last := map[uint16]int{}
		seen := map[int]bool{}
		for _, e := range events {
			var v struct{ I *int }
			if err := json.Unmarshal(e.Raw, &v); err != nil || v.I == nil {
				continue // the responder's own event
			}
			if seen[*v.I] {
				t.Fatalf("event %d arrived twice", *v.I)
			}
			seen[*v.I] = true
			if prev, ok := last[e.Shard]; ok && prev >= *v.I {
				t.Fatalf("shard %d: %d after %d", e.Shard, *v.I, prev)
			}
			last[e.Shard] = *v.I
		}
		if len(seen) != n {
			t.Fatalf("%d of %d events arrived (pin %v)", len(seen), n, pin)
		}
		// The responder counts what it stored from its peer.
		if s, err := responder.Stats(); err != nil || s.RemoteEvents != n || s.ForwardFailures != 0 {
			t.Fatalf("responder stats %+v, %v", s, err)
		}
	}
}

func TestBadMeshTransportsAreTypedErrors(t *testing.T) {
	them, _ := IdentityFromSeed(bytes.Repeat([]byte{0x11}, 32))
	key, _ := them.MeshPublicKey()
	quick := 300 * time.Millisecond
	cases := []struct {
		name string
		t    MeshTransport
		want error
	}{
		{"short psk", MeshTransport{Bind: "127.0.0.1:0", PSK: []byte{1}}, ErrInvalidConfig},
		{"peer without key", MeshTransport{Bind: "127.0.0.1:0", Peer: "127.0.0.1:9", PSK: psk42}, ErrInvalidConfig},
		{"nobody answers", MeshTransport{Bind: "127.0.0.1:0", Peer: fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t)), PSK: psk42, PeerPublicKey: key, HandshakeTimeout: quick}, ErrTimeout},
		{"nobody dials", MeshTransport{Bind: "127.0.0.1:0", PSK: psk42, HandshakeTimeout: quick}, ErrTimeout},
		{"negative timeout", MeshTransport{Bind: "127.0.0.1:0", PSK: psk42, HandshakeTimeout: -1}, ErrInvalidConfig},
	}
	for _, c := range cases {
		if n, err := NewNode(Config{Mesh: &c.t}); !errors.Is(err, c.want) {
			if n != nil {
				n.Close()
			}
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	// A wrong PSK against a waiting responder is refused with wrong_psk.
	addr := fmt.Sprintf("127.0.0.1:%d", freeUDPPort(t))
	go func() {
		if n, err := NewNode(Config{Mesh: &MeshTransport{Bind: addr, PSK: psk42, Identity: them, HandshakeTimeout: 2 * time.Second}}); err == nil {
			n.Close()
		}
	}()
	_, err := NewNode(Config{Mesh: &MeshTransport{Bind: "127.0.0.1:0", Peer: addr, PSK: psk01, PeerPublicKey: key, HandshakeTimeout: 5 * time.Second}})
	if !errors.Is(err, ErrWrongPSK) || !errors.Is(err, ErrHandshake) {
		t.Fatalf("wrong psk: err = %v", err)
	}
	// A closed identity cannot name a node.
	closed, _ := GenerateIdentity()
	closed.Close()
	if _, err := closed.MeshPublicKey(); err == nil {
		t.Fatal("MeshPublicKey on a closed identity succeeded")
	}
}
