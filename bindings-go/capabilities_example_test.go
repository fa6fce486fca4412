package net_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"time"

	net "github.com/net-mesh/net/bindings-go"
)

// The body of this example is the capabilities section of README.md,
// character for character (readme_test.go holds them together).
func ExampleMeshNode_AnnounceCapabilities() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	psk := bytes.Repeat([]byte{0x42}, 32)
	policy := &net.SubnetPolicy{Rules: []net.SubnetRule{
		{TagPrefix: "region:", Level: 0, Values: map[string]uint8{"us": 3, "eu": 4}},
	}}
	gpuBox, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk,
		Subnet: &net.SubnetID{Levels: []uint8{3}}, SubnetPolicy: policy})
	if err != nil {
		log.Fatal(err)
	}
	defer gpuBox.Close()
	scheduler, err := net.NewMeshNode(net.MeshConfig{BindAddr: "127.0.0.1:0", PSK: psk,
		Subnet: &net.SubnetID{Levels: []uint8{4}}, SubnetPolicy: policy})
	if err != nil {
		log.Fatal(err)
	}
	defer scheduler.Close()
	go scheduler.Accept(ctx, gpuBox.NodeID())
	if err := gpuBox.Connect(ctx, scheduler.LocalAddr(), scheduler.PublicKey(), scheduler.NodeID()); err != nil {
		log.Fatal(err)
	}
	gpuBox.Start()
	scheduler.Start()

	// Announce: typed hardware and models become reserved tags; the scope
	// tag shows the node to tenant oem-123's queries (and unscoped ones).
	err = gpuBox.AnnounceCapabilities(net.CapabilitySet{
		Hardware: &net.HardwareCapabilities{CPUCores: 16, MemoryGB: 64,
			GPU: &net.GPUInfo{Vendor: "nvidia", Model: "h100", VRAMGB: 80}},
		Models: []net.ModelCapability{{ModelID: "llama-3.1-70b", Family: "llama", ContextLength: 128_000}},
		Tags:   net.WithTenantScope([]string{"region:us", "gpu"}, "oem-123"),
	})
	if err != nil {
		log.Fatal(err) // errors.Is(err, net.ErrInvalidCapabilities): the message lists the schema errors
	}

	// Query the scheduler's index (announcements arrive signed, verified).
	filter := net.CapabilityFilter{RequireGPU: true, GPUVendor: "nvidia", MinVRAMMB: 40_000}
	for ctx.Err() == nil {
		if ids, _ := scheduler.FindNodes(filter); len(ids) == 1 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	ids, _ := scheduler.FindNodesScoped(filter, net.ScopeTenant("oem-123"))
	fmt.Println("tenant oem-123 sees the GPU box:", len(ids) == 1 && ids[0] == gpuBox.NodeID())
	ids, _ = scheduler.FindNodesScoped(filter, net.ScopeTenant("someone-else"))
	fmt.Println("another tenant sees:", len(ids))
	info, _, _ := scheduler.CapabilitiesOf(gpuBox.NodeID())
	fmt.Println("derived subnet:", info.Subnet.Levels, "scope:", info.Scope.Kind, info.Scope.Tenants)

	// Predicates: evaluated locally, or carried in a net-where header.
	pred := net.PredAnd(
		net.PredExists("hardware.gpu"),
		net.PredAtLeast("hardware.memory_gb", 64),
		net.PredTagPrefix("model."),
	)
	header, _ := net.PredicateToRPCHeader(pred)
	decoded, _ := net.PredicateFromRPCHeader(header)
	ok, _ := decoded.Evaluate(info.Capabilities)
	fmt.Println(net.RPCWhereHeader+":", header[:12]+"…", "holds:", ok)

	report, _ := net.ValidateCapabilities(net.CapabilitySet{Tags: []string{"hardwre.gpu"}})
	fmt.Println("valid:", report.Valid, report.Errors[0].Kind, "→", report.Errors[0].Suggestion)
	// Output:
	// tenant oem-123 sees the GPU box: true
	// another tenant sees: 0
	// derived subnet: [3] scope: tenants [oem-123]
	// net-where: eyJvcCI6ImFu… holds: true
	// valid: false unknown_axis → hardware
}
