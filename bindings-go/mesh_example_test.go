package net_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

// The body of this example is the mesh section of README.md, character
// for character (readme_test.go holds them together), so the README's
// snippet is run — and its output checked — by every `go test`.
func ExampleMeshNode() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	psk := bytes.Repeat([]byte{0x42}, 32) // the mesh's pre-shared key: 32 bytes, the same on every node

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

	// Bob expects alice; alice dials bob by address, public key and node id.
	go bob.Accept(ctx, alice.NodeID())
	if err := alice.Connect(ctx, bob.LocalAddr(), bob.PublicKey(), bob.NodeID()); err != nil {
		log.Fatal(err) // errors.Is(err, net.ErrHandshake): Kind "wrong_psk", "unknown_static_key", ...
	}
	alice.Start() // heartbeats, liveness, retransmission
	bob.Start()

	// One stream id, opened on both sides: reliable, in order, exactly once.
	out, err := alice.OpenStream(bob.NodeID(), 1, net.StreamConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer out.Close()
	in, err := bob.OpenStream(alice.NodeID(), 1, net.StreamConfig{})
	if err != nil {
		log.Fatal(err)
	}
	defer in.Close()

	if err := out.Send([]byte("hello")); errors.Is(err, net.ErrBackpressure) {
		log.Fatal("window full: nothing sent; retry, or use SendBlocking")
	}
	out.SendBlocking(ctx, [][]byte{[]byte("one"), []byte("batch")}) // waits for window room
	for msg, err := range in.Messages(ctx) {
		if err != nil {
			log.Fatal(err) // ctx ended: net.ErrTimeout / net.ErrCancelled
		}
		fmt.Println(string(msg))
		if string(msg) == "batch" {
			break
		}
	}
	state, _ := alice.PeerState(bob.NodeID())
	fmt.Println("bob is", state)
	// Output:
	// hello
	// one
	// batch
	// bob is alive
}
