package net

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestMeshNodeIdentityAndAddress(t *testing.T) {
	id, err := IdentityFromSeed(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	defer id.Close()
	cfg := testMeshConfig(psk42)
	cfg.Identity = id
	n := newMeshNode(t, cfg)
	if n.NodeID() != id.NodeID() || n.EntityID() != id.EntityID() {
		t.Fatalf("node ids %x / %v, identity's %x / %v", n.NodeID(), n.EntityID(), id.NodeID(), id.EntityID())
	}
	if !strings.HasPrefix(n.LocalAddr(), "127.0.0.1:") || strings.HasSuffix(n.LocalAddr(), ":0") {
		t.Fatalf("local addr %q", n.LocalAddr())
	}
	if len(n.PublicKey()) != 32 || bytes.Equal(n.PublicKey(), make([]byte, 32)) {
		t.Fatalf("public key %x", n.PublicKey())
	}
	n.PublicKey()[0] ^= 1 // a copy: the node's own key is unchanged
	other := newMeshNode(t, testMeshConfig(psk42))
	if other.NodeID() == n.NodeID() || bytes.Equal(other.PublicKey(), n.PublicKey()) {
		t.Fatal("a fresh identity gave the same ids")
	}
	// The identity is copied: closing it does not affect the node.
	id.Close()
	if _, err := n.Stats(); err != nil {
		t.Fatal(err)
	}
}

func TestMeshHandshakePeersAndStats(t *testing.T) {
	a, b := newMeshNode(t, testMeshConfig(psk42)), newMeshNode(t, testMeshConfig(psk42))
	if peers, err := a.Peers(); err != nil || len(peers) != 0 {
		t.Fatalf("peers before any handshake: %v %v", peers, err)
	}
	if _, err := a.PeerState(b.NodeID()); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("peer state of a stranger: %v", err)
	}
	ctx := within(t, 10*time.Second)
	accepted := make(chan string, 1)
	go func() {
		addr, err := b.Accept(ctx, a.NodeID())
		if err != nil {
			t.Error(err)
		}
		accepted <- addr
	}()
	if err := a.Connect(ctx, b.LocalAddr(), b.PublicKey(), b.NodeID()); err != nil {
		t.Fatal(err)
	}
	if addr := <-accepted; addr != a.LocalAddr() {
		t.Fatalf("accept reported %q, a is at %q", addr, a.LocalAddr())
	}
	for _, n := range []*MeshNode{a, b} {
		if err := n.Start(); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Start(); err != nil { // idempotent
		t.Fatal(err)
	}
	// An accept for a peer that already has a session returns at once.
	if addr, err := b.Accept(ctx, a.NodeID()); err != nil || addr != a.LocalAddr() {
		t.Fatalf("second accept: %q %v", addr, err)
	}
	peers, err := a.Peers()
	if err != nil || len(peers) != 1 {
		t.Fatalf("a's peers: %v %v", peers, err)
	}
	want := Peer{NodeID: b.NodeID(), EntityID: b.EntityID(), Addr: b.LocalAddr(), State: PeerAlive}
	if peers[0] != want {
		t.Fatalf("peer %+v, want %+v", peers[0], want)
	}
	if st, err := b.PeerState(a.NodeID()); err != nil || st != PeerAlive || st.String() != "alive" {
		t.Fatalf("b sees a as %v (%v)", st, err)
	}
	stats, err := a.Stats()
	if err != nil || stats.Sessions != 1 || stats.HandshakesCompleted < 1 || stats.DatagramsSent == 0 {
		t.Fatalf("stats %+v %v", stats, err)
	}
}

// seqMessage is message i of a numbered stream: its sequence number
// first, padded to size.
func seqMessage(i, size int) []byte {
	m := make([]byte, max(size, 8))
	binary.BigEndian.PutUint64(m, uint64(i))
	for j := 8; j < len(m); j++ {
		m[j] = byte(i + j)
	}
	return m
}

// sendNumbered sends count numbered messages (the last one lastSize
// bytes, the others 64) in batches of batch, with SendBlocking.
func sendNumbered(t *testing.T, s *Stream, count, lastSize, batch int) {
	ctx := within(t, 60*time.Second)
	for i := 0; i < count; i += batch {
		var msgs [][]byte
		for j := i; j < min(i+batch, count); j++ {
			size := 64
			if j == count-1 {
				size = lastSize
			}
			msgs = append(msgs, seqMessage(j, size))
		}
		if err := s.SendBlocking(ctx, msgs); err != nil {
			t.Errorf("send %d: %v", i, err)
			return
		}
	}
}

// recvNumbered reads count numbered messages and checks each is the next
// one, intact; it reports how many arrived in order.
func recvNumbered(t *testing.T, s *Stream, count, lastSize int) int {
	ctx := within(t, 60*time.Second)
	for i := 0; i < count; i++ {
		m, err := s.Recv(ctx)
		if err != nil {
			t.Errorf("recv %d: %v", i, err)
			return i
		}
		size := 64
		if i == count-1 {
			size = lastSize
		}
		if !bytes.Equal(m, seqMessage(i, size)) {
			got := -1
			if len(m) >= 8 {
				got = int(binary.BigEndian.Uint64(m))
			}
			t.Errorf("message %d: got #%d, %d bytes (want %d)", i, got, len(m), size)
			return i
		}
	}
	return count
}

func TestMeshReliableStreamBothWays(t *testing.T) {
	const count, last = 10_000, 12 * 1024
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 0x42, StreamConfig{})
	var wg sync.WaitGroup
	got := make([]int, 2)
	for i, pair := range [][2]*Stream{{ab, ba}, {ba, ab}} {
		tx, rx := pair[0], pair[1]
		wg.Add(2)
		go func() { defer wg.Done(); sendNumbered(t, tx, count, last, 1+i*31) }()
		go func() { defer wg.Done(); got[i] = recvNumbered(t, rx, count, last) }()
	}
	wg.Wait()
	if got[0] != count || got[1] != count {
		t.Fatalf("in order: a->b %d, b->a %d of %d", got[0], got[1], count)
	}
	// Nothing extra, nothing lost: the counters agree on both sides.
	for _, side := range []struct {
		n    *MeshNode
		peer uint64
	}{{a, b.NodeID()}, {b, a.NodeID()}} {
		st, err := side.n.StreamStats(side.peer, 0x42)
		if err != nil || st.MessagesSent != count || st.MessagesReceived != count || st.Inbox != 0 {
			t.Fatalf("stream stats %+v %v", st, err)
		}
	}
	if m, ok, err := ba.TryRecv(); ok || err != nil {
		t.Fatalf("an extra message %x (%v)", m, err)
	}
}

func TestMeshMessagesIterator(t *testing.T) {
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 5, StreamConfig{})
	for i := range 20 {
		if err := ab.Send(fmt.Appendf(nil, "m%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	ctx := within(t, 10*time.Second)
	i := 0
	for m, err := range ba.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if string(m) != fmt.Sprintf("m%d", i) {
			t.Fatalf("message %d: %q", i, m)
		}
		if i++; i == 20 {
			break
		}
	}
	// The stream closing ends the loop without an error, after what was
	// already received.
	if err := ab.SendBatch([][]byte{[]byte("x"), []byte("y")}); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { st, _ := ba.Stats(); return st.Inbox == 2 }) {
		t.Fatal("x and y never arrived")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for m, err := range ba.Messages(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		rest = append(rest, string(m))
	}
	if strings.Join(rest, ",") != "x,y" {
		t.Fatalf("after close: %q", rest)
	}
}

func TestMeshFireAndForget(t *testing.T) {
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 11, StreamConfig{Reliability: FireAndForget})
	for i := range 50 {
		if err := ab.Send(fmt.Appendf(nil, "ping %d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// Loopback loses nothing here, but the stream promises no more than
	// "at most once": count what came, and that nothing came twice.
	seen := map[string]bool{}
	ctx := within(t, 300*time.Millisecond)
	for {
		m, err := ba.Recv(ctx)
		if errors.Is(err, ErrTimeout) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(m)] {
			t.Fatalf("%q twice", m)
		}
		seen[string(m)] = true
	}
	if len(seen) == 0 {
		t.Fatal("nothing arrived")
	}
	st, err := ab.Stats()
	if err != nil || st.MessagesSent != 50 || st.Retransmits != 0 || st.InFlight != 0 {
		t.Fatalf("stats %+v %v", st, err)
	}
	// The same id cannot be re-opened as reliable.
	if _, err := a.OpenStream(b.NodeID(), 11, StreamConfig{}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("re-open as reliable: %v", err)
	}
}

func TestMeshLargeAndEmptyMessages(t *testing.T) {
	a, b := meshPair(t)
	ab, ba := openBoth(t, a, b, 3, StreamConfig{})
	sizes := []int{0, 1, 1400, recvSlab - 1, recvSlab, recvSlab + 1, 40_000, 65536, 3, 0}
	var msgs [][]byte
	for i, n := range sizes {
		msgs = append(msgs, bytes.Repeat([]byte{byte(i + 1)}, n))
	}
	if err := ab.SendBlocking(within(t, 10*time.Second), msgs); err != nil {
		t.Fatal(err)
	}
	ctx := within(t, 10*time.Second)
	for i, want := range msgs {
		m, err := ba.Recv(ctx)
		if err != nil || !bytes.Equal(m, want) {
			t.Fatalf("message %d: %d bytes (want %d), %v", i, len(m), len(want), err)
		}
		if cap(m) != len(m) {
			t.Fatalf("message %d shares its capacity with the next", i)
		}
	}
}

func TestMeshBackpressure(t *testing.T) {
	a, b := meshPair(t)
	// b's side holds 2 messages before it stops acknowledging; a's window is 4.
	in, out := openSmallWindow(t, a, b)
	four := [][]byte{{1}, {2}, {3}, {4}}
	if err := out.SendBatch(append(four, []byte{5})); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("a batch larger than the window: %v", err)
	}
	if err := out.SendBatch(four); err != nil {
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { st, _ := in.Stats(); return st.Inbox == 2 }) {
		t.Fatal("b's inbox never filled")
	}
	if err := out.SendBatch(four); !errors.Is(err, ErrBackpressure) {
		t.Fatalf("full window: %v", err)
	}
	if err := out.SendWithRetry(four, 1); !errors.Is(err, ErrBackpressure) {
		t.Fatalf("retries that run out: %v", err)
	}
	st, _ := out.Stats()
	if st.MessagesSent != 4 || st.BackpressureEvents < 3 {
		t.Fatalf("stats %+v", st)
	}
	// A reader drains b; the retrying and blocking forms then get through.
	done := make(chan int)
	go func() {
		n := 0
		ctx := within(t, 20*time.Second)
		for n < 12 {
			if _, err := in.Recv(ctx); err != nil {
				break
			}
			n++
		}
		done <- n
	}()
	if err := out.SendWithRetry(four, 100); err != nil {
		t.Fatal(err)
	}
	if err := out.SendBlocking(within(t, 20*time.Second), four); err != nil {
		t.Fatal(err)
	}
	if n := <-done; n != 12 {
		t.Fatalf("b read %d of 12", n)
	}
}

func TestMeshPeerLeaving(t *testing.T) {
	a, b := meshPair(t)
	ab, _ := openBoth(t, a, b, 1, StreamConfig{})
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil { // idempotent
		t.Fatal(err)
	}
	if !eventually(5*time.Second, func() bool { st, err := a.PeerState(b.NodeID()); return err == nil && st == PeerDead }) {
		t.Fatal("a never saw b dead")
	}
	if err := ab.Send([]byte("gone")); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("send to a dead peer: %v", err)
	}
	if err := ab.SendBlocking(within(t, 5*time.Second), [][]byte{[]byte("gone")}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("blocking send to a dead peer: %v", err)
	}
	if _, err := ab.Recv(within(t, 5*time.Second)); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("recv from a dead peer: %v", err)
	}
	if _, err := a.OpenStream(b.NodeID(), 2, StreamConfig{}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("open to a dead peer: %v", err)
	}
	peers, err := a.Peers()
	if err != nil || len(peers) != 1 || peers[0].State != PeerDead {
		t.Fatalf("peers %+v %v", peers, err)
	}
}
