package net

import (
	"testing"
)

// The producer path: cgo call, libnet's C ABI, the engine's ring push.
// Rings are large and retention small so the benchmark measures ingest,
// not a full ring.
var benchConfig = Config{Shards: 4, RingCapacity: 1 << 16, Retention: 1 << 16}

var event9 = []byte(`{"a":123}`) // 9 bytes

func BenchmarkEmitRaw(b *testing.B) {
	n := newNode(b, benchConfig)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := n.EmitRaw(event9); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

func BenchmarkEmitRawBatch1000(b *testing.B) {
	n := newNode(b, benchConfig)
	batch := make([][]byte, 1000)
	for i := range batch {
		batch[i] = event9
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if count, err := n.EmitRawBatch(batch); err != nil || count != len(batch) {
			b.Fatal(count, err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

func BenchmarkEmitRawParallel(b *testing.B) {
	n := newNode(b, benchConfig)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := n.EmitRaw(event9); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "Mevents/s")
}

// BenchmarkCgoCallFloor is one cgo call that does nothing: the fixed
// price of crossing into C on this machine.
func BenchmarkCgoCallFloor(b *testing.B) {
	n := newNode(b, benchConfig)
	for b.Loop() {
		cgoNothing(n)
	}
}

// BenchmarkCIngestFloor is net.h's ingest called from C: EmitRaw minus cgo.
func BenchmarkCIngestFloor(b *testing.B) {
	n := newNode(b, benchConfig)
	b.ResetTimer()
	for b.Loop() {
		if err := ingestFromC(n, event9, 1000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds()/1e6, "Mevents/s")
	b.ReportMetric(b.Elapsed().Seconds()*1e9/float64(b.N)/1000, "ns/event")
}
