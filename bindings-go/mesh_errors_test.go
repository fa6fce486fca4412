package net

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// Every bad input on the way to a session, and every use of a closed
// node or stream, is a typed error with the kind every Net language uses.

func TestMeshHandshakeFailures(t *testing.T) {
	a, b, c := newMeshNode(t, testMeshConfig(psk42)), newMeshNode(t, testMeshConfig(psk42)), newMeshNode(t, testMeshConfig(psk42))
	stranger := newMeshNode(t, testMeshConfig(psk01))
	cases := []struct {
		name     string
		dialer   *MeshNode
		key      []byte
		id       uint64
		kind     string
		sentinel error
	}{
		{"another PSK", stranger, a.PublicKey(), a.NodeID(), "wrong_psk", ErrWrongPSK},
		{"another node's key", b, c.PublicKey(), a.NodeID(), "unknown_static_key", ErrUnknownStaticKey},
		{"the key but another node's id", b, a.PublicKey(), c.NodeID(), "identity_mismatch", ErrIdentityMismatch},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := within(t, 5*time.Second)
			accepted := make(chan error, 1)
			go func() {
				_, err := a.Accept(within(t, 1500*time.Millisecond), tc.dialer.NodeID())
				accepted <- err
			}()
			err := tc.dialer.Connect(ctx, a.LocalAddr(), tc.key, tc.id)
			var e *Error
			if !errors.As(err, &e) || e.Kind != tc.kind || e.Message == "" {
				t.Fatalf("connect: %v, want kind %s", err, tc.kind)
			}
			if !errors.Is(err, ErrHandshake) || !errors.Is(err, tc.sentinel) || errors.Is(err, ErrTimeout) {
				t.Fatalf("%v does not match ErrHandshake and its own sentinel only", err)
			}
			// The listener was never offered a session it could accept.
			if err := <-accepted; !errors.Is(err, ErrTimeout) {
				t.Fatalf("accept: %v", err)
			}
		})
	}
	// None of it left a session or a pending half behind.
	if !eventually(5*time.Second, func() bool { s, _ := a.Stats(); return s.PendingHandshakes == 0 }) {
		t.Fatal("a pending handshake was left behind")
	}
	if s, _ := a.Stats(); s.Sessions != 0 || s.HandshakesFailed == 0 {
		t.Fatalf("stats after refusals: %+v", s)
	}
	if peers, _ := a.Peers(); len(peers) != 0 {
		t.Fatalf("peers after refusals: %+v", peers)
	}
}

func TestMeshBadArguments(t *testing.T) {
	n := newMeshNode(t, testMeshConfig(psk42))
	ctx := within(t, 5*time.Second)
	kindOf := func(err error) string {
		var e *Error
		if errors.As(err, &e) {
			return e.Kind
		}
		return "not an *Error: " + errFmt(err)
	}
	key := bytes.Repeat([]byte{9}, 32)
	checks := []struct {
		what string
		err  error
		kind string
	}{
		{"short key", n.Connect(ctx, "127.0.0.1:1", key[:31], 1), "invalid_length"},
		{"no key", n.Connect(ctx, "127.0.0.1:1", nil, 1), "invalid_length"},
		{"bad address", n.Connect(ctx, "not an address", key, 1), "invalid_argument"},
		{"empty address", n.Connect(ctx, "", key, 1), "invalid_argument"},
		{"itself", n.Connect(ctx, n.LocalAddr(), n.PublicKey(), n.NodeID()), "invalid_argument"},
		{"stream to a stranger", openErr(n.OpenStream(12345, 1, StreamConfig{})), "not_connected"},
		{"unknown reliability", openErr(n.OpenStream(12345, 1, StreamConfig{Reliability: 7})), "invalid_argument"},
		{"negative window", openErr(n.OpenStream(12345, 1, StreamConfig{Window: -1})), "invalid_argument"},
		{"stats of no stream", statsErr(n.StreamStats(12345, 1)), "not_connected"},
	}
	for _, c := range checks {
		if got := kindOf(c.err); got != c.kind {
			t.Errorf("%s: kind %s (%v), want %s", c.what, got, c.err, c.kind)
		}
	}
	// Configurations.
	bad := []struct {
		cfg  MeshConfig
		kind string
	}{
		{MeshConfig{PSK: psk42}, "invalid_config"},                                            // no address
		{MeshConfig{BindAddr: "127.0.0.1:0"}, "invalid_config"},                               // no PSK
		{MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk42[:16]}, "invalid_config"},              // short PSK
		{MeshConfig{BindAddr: "nowhere", PSK: psk42}, "invalid_config"},                       // not ip:port
		{MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk42, MaxDatagram: 100}, "invalid_config"}, // out of range
		{MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk42, DeadAfter: -time.Second}, "invalid_config"},
		{MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk42, SuspectAfter: time.Second, DeadAfter: time.Millisecond}, "invalid_config"},
		{MeshConfig{BindAddr: n.LocalAddr(), PSK: psk42}, "io"}, // taken
	}
	for _, c := range bad {
		m, err := NewMeshNode(c.cfg)
		if m != nil {
			m.Close()
		}
		if got := kindOf(err); got != c.kind {
			t.Errorf("config %+v: kind %s (%v), want %s", c.cfg, got, err, c.kind)
		}
	}
	closedID, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	closedID.Close()
	cfg := testMeshConfig(psk42)
	cfg.Identity = closedID
	if _, err := NewMeshNode(cfg); !errors.Is(err, ErrClosed) {
		t.Errorf("a closed identity: %v", err)
	}

	// Stream arguments.
	a, b := meshPair(t)
	ab, _ := openBoth(t, a, b, 1, StreamConfig{})
	if err := ab.Send(make([]byte, 65537)); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("65537 bytes: %v", err)
	}
	if err := ab.SendBatch([][]byte{{1}, make([]byte, 70_000)}); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("a batch with 70000 bytes: %v", err)
	}
	if err := ab.SendBlocking(ctx, [][]byte{make([]byte, 70_000)}); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("blocking, 70000 bytes: %v", err)
	}
	if err := ab.SendWithRetry([][]byte{{1}}, -1); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("negative retries: %v", err)
	}
	if err := ab.SendBatch(nil); err != nil {
		t.Errorf("an empty batch: %v", err)
	}
}

func openErr(_ *Stream, err error) error      { return err }
func statsErr(_ StreamStats, err error) error { return err }
func errFmt(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestMeshClosedNodeAndStream(t *testing.T) {
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 1, StreamConfig{})
	if err := ab.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ab.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	ctx := within(t, 5*time.Second)
	streamCalls := map[string]error{
		"Send":          ab.Send([]byte("x")),
		"SendBatch":     ab.SendBatch([][]byte{[]byte("x")}),
		"SendWithRetry": ab.SendWithRetry([][]byte{[]byte("x")}, 3),
		"SendBlocking":  ab.SendBlocking(ctx, [][]byte{[]byte("x")}),
		"Recv":          recvErr(ab.Recv(ctx)),
		"TryRecv":       tryErr(ab.TryRecv()),
		"Stats":         statsErr(ab.Stats()),
	}
	for name, err := range streamCalls {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("closed stream, %s: %v", name, err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if a.NodeID() == 0 || a.LocalAddr() == "" || len(a.PublicKey()) != 32 {
		t.Fatal("ids, key and address must stay readable after Close")
	}
	nodeCalls := map[string]error{
		"Connect":     a.Connect(ctx, b.LocalAddr(), b.PublicKey(), b.NodeID()),
		"Accept":      recvStrErr(a.Accept(ctx, b.NodeID())),
		"Start":       a.Start(),
		"OpenStream":  openErr(a.OpenStream(b.NodeID(), 2, StreamConfig{})),
		"Stats":       meshStatsErr(a.Stats()),
		"Peers":       peersErr(a.Peers()),
		"PeerState":   stateErr(a.PeerState(b.NodeID())),
		"StreamStats": statsErr(a.StreamStats(b.NodeID(), 1)),
	}
	for name, err := range nodeCalls {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("closed node, %s: %v", name, err)
		}
	}
	// The peer of a closed node hears it leave: no stream opens to it.
	if !eventually(5*time.Second, func() bool { st, err := b.PeerState(a.NodeID()); return err == nil && st == PeerDead }) {
		t.Fatal("b never saw a leave")
	}
	if _, err := b.OpenStream(a.NodeID(), 3, StreamConfig{}); !errors.Is(err, ErrNotConnected) {
		t.Errorf("open to a closed node: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ba.Send([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("a stream of a closed node: %v", err)
	}
}

func recvErr(_ []byte, err error) error         { return err }
func recvStrErr(_ string, err error) error      { return err }
func tryErr(_ []byte, _ bool, err error) error  { return err }
func meshStatsErr(_ MeshStats, err error) error { return err }
func peersErr(_ []Peer, err error) error        { return err }
func stateErr(_ PeerState, err error) error     { return err }

func TestMeshRefusesTheUnacceptedWhenAsked(t *testing.T) {
	cfg := testMeshConfig(psk42)
	cfg.RefuseUnaccepted = true
	strict, dialer := newMeshNode(t, cfg), newMeshNode(t, testMeshConfig(psk42))
	// Nobody accepts the dialer: refused at once, not after its timeout.
	err := dialer.Connect(within(t, 5*time.Second), strict.LocalAddr(), strict.PublicKey(), strict.NodeID())
	var e *Error
	if !errors.Is(err, ErrHandshakeRefused) || !errors.Is(err, ErrHandshake) || !errors.As(err, &e) || e.Kind != "handshake_refused" {
		t.Fatalf("connect to a strict node: %v, want handshake_refused", err)
	}
	if peers, _ := strict.Peers(); len(peers) != 0 {
		t.Fatalf("a refused node got a session: %+v", peers)
	}
}
