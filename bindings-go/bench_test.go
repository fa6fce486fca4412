package net

import (
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The producer path: cgo call, libnet's C ABI, the engine's ring push.
// Rings are large and retention small so the benchmark measures ingest,
// not a full ring.
var benchConfig = Config{Shards: 4, RingCapacity: 1 << 16, Retention: 1 << 16}

var event9 = []byte(`{"a":123}`) // 9 bytes

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs the benchmark loop on one locked OS thread and reports
// events per second twice: by wall time, and by the CPU time of the
// emitting thread — what the rate would be with a core to itself, which
// stays meaningful on a machine shared with other work.
func measure(b *testing.B, perOp int, op func()) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := threadCPU(b)
	for b.Loop() {
		op()
	}
	cpu = threadCPU(b) - cpu
	events := float64(b.N) * float64(perOp)
	b.ReportMetric(events/b.Elapsed().Seconds()/1e6, "Mevents/s")
	b.ReportMetric(events/cpu.Seconds()/1e6, "cpu-Mevents/s")
}

func BenchmarkEmitRaw(b *testing.B) {
	n := newNode(b, benchConfig)
	measure(b, 1, func() {
		if _, err := n.EmitRaw(event9); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkEmitRawBatch1000(b *testing.B) {
	n := newNode(b, benchConfig)
	batch := make([][]byte, 1000)
	for i := range batch {
		batch[i] = event9
	}
	measure(b, len(batch), func() {
		if count, err := n.EmitRawBatch(batch); err != nil || count != len(batch) {
			b.Fatal(count, err)
		}
	})
}

// The same with each event in an allocation of its own, as when events
// are built one by one (the bytes are then scattered over the heap).
func BenchmarkEmitRawBatch1000Distinct(b *testing.B) {
	n := newNode(b, benchConfig)
	batch := make([][]byte, 1000)
	for i := range batch {
		batch[i] = append([]byte(nil), event9...)
	}
	measure(b, len(batch), func() {
		if count, err := n.EmitRawBatch(batch); err != nil || count != len(batch) {
			b.Fatal(count, err)
		}
	})
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
	measure(b, 1, func() { cgoNothing(n) })
}

// BenchmarkCIngestFloor is net.h's ingest called from C, 1000 per op:
// EmitRaw minus cgo.
func BenchmarkCIngestFloor(b *testing.B) {
	n := newNode(b, benchConfig)
	measure(b, 1000, func() {
		if err := ingestFromC(n, event9, 1000); err != nil {
			b.Fatal(err)
		}
	})
}
