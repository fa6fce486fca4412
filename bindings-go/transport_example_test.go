package net_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	gonet "net"

	net "github.com/net-mesh/net/bindings-go"
)

// The body of this example is the "bus over the mesh" section of
// README.md, character for character (readme_test.go holds them
// together), so the snippet is run and its output checked by `go test`.
func ExampleMeshTransport() {
	psk := bytes.Repeat([]byte{0x42}, 32)
	server, _ := net.GenerateIdentity() // its seed fixes the key a client dials
	serverKey, _ := server.MeshPublicKey()
	probe, _ := gonet.ListenPacket("udp", "127.0.0.1:0") // a free port for this example
	addr := probe.LocalAddr().String()
	probe.Close()

	started := make(chan *net.Node)
	go func() { // no Peer: wait for a node holding the PSK
		n, err := net.NewNode(net.Config{Mesh: &net.MeshTransport{Bind: addr, PSK: psk, Identity: server}})
		if err != nil {
			log.Fatal(err)
		}
		started <- n
	}()
	client, err := net.NewNode(net.Config{Mesh: &net.MeshTransport{
		Bind: "127.0.0.1:0", Peer: addr, PSK: psk, PeerPublicKey: serverKey,
		PeerNodeID: server.NodeID(), // optional: pin who answers
	}})
	if err != nil {
		log.Fatal(err)
	}
	node := <-started
	defer node.Close()

	for i := range 1000 {
		client.EmitString(fmt.Sprintf(`{"i":%d}`, i))
	}
	client.Close() // drains, and waits until the server has acknowledged every event
	got := 0
	for _, err := range node.Events(context.Background(), net.EventsOptions{FromBeginning: true}) {
		if err != nil {
			log.Fatal(err)
		}
		if got++; got == 1000 {
			break
		}
	}
	fmt.Println(got, "events crossed the mesh")
	// Output: 1000 events crossed the mesh
}
