// Mesh pair: two mesh nodes on loopback — a handshake, a reliable stream
// both ways, the peer list and the stream's statistics, and a stranger
// with the wrong pre-shared key refused with a typed error.
//
// In real use the two nodes are two processes (or hosts) that learn each
// other's address, public key and node id out of band; here one program
// plays both sides, so bob accepts on a goroutine while alice connects.
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	psk := bytes.Repeat([]byte{0x42}, 32) // every node of one mesh shares it

	alice, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk})
	if err != nil {
		log.Fatal(err)
	}
	defer alice.Close()
	bob, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk})
	if err != nil {
		log.Fatal(err)
	}
	defer bob.Close()

	// What alice needs to dial bob: his address, public key and node id.
	accepted := make(chan error, 1)
	go func() {
		_, err := bob.Accept(ctx, alice.NodeID())
		accepted <- err
	}()
	if err := alice.Connect(ctx, bob.LocalAddr(), bob.PublicKey(), bob.NodeID()); err != nil {
		log.Fatal("connect: ", err)
	}
	if err := <-accepted; err != nil {
		log.Fatal("accept: ", err)
	}
	alice.Start()
	bob.Start()
	fmt.Printf("handshake: %016x <-> %016x at %s\n", alice.NodeID(), bob.NodeID(), bob.LocalAddr())

	// One stream id, opened on both sides.
	out, err := alice.OpenStream(bob.NodeID(), 0x42, net.StreamConfig{Window: 64})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	in, err := bob.OpenStream(alice.NodeID(), 0x42, net.StreamConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()

	for i := range 10 {
		if err := out.SendBlocking(ctx, [][]byte{fmt.Appendf(nil, `{"n":%d}`, i)}); err != nil {
			log.Fatal(err)
		}
	}
	received := 0
	for msg, err := range in.Messages(ctx) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("bob received %s\n", msg)
		if received++; received == 10 {
			break
		}
	}
	// And back, as one batch.
	if err := in.SendBatch([][]byte{[]byte("thanks"), []byte("bye")}); err != nil {
		log.Fatal(err)
	}
	for range 2 {
		msg, err := out.Recv(ctx)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("alice received %s\n", msg)
	}

	peers, err := alice.Peers()
	if err != nil {
		log.Fatal(err)
	}
	for _, p := range peers {
		fmt.Printf("alice's peer %016x at %s is %s\n", p.NodeID, p.Addr, p.State)
	}
	st, err := out.Stats()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("alice stream: sent=%d received=%d in_flight=%d window=%d backpressure=%d srtt=%v\n",
		st.MessagesSent, st.MessagesReceived, st.InFlight, st.Window, st.BackpressureEvents, st.SRTT)

	// A node with another pre-shared key is refused, even by a bob
	// expecting it: a typed error, and no session on either side.
	stranger, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		log.Fatal(err)
	}
	defer stranger.Close()
	expecting, stop := context.WithCancel(ctx)
	go bob.Accept(expecting, stranger.NodeID())
	err = stranger.Connect(ctx, bob.LocalAddr(), bob.PublicKey(), bob.NodeID())
	stop()
	var e *net.Error
	if !errors.Is(err, net.ErrHandshake) || !errors.As(err, &e) || e.Kind != "wrong_psk" {
		log.Fatalf("the stranger was not refused as expected: %v", err)
	}
	fmt.Printf("stranger refused: %s\n", e.Kind)
}
