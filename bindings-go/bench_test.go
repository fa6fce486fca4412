package net

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Two kinds of benchmark:
//
// BenchmarkSustained*: what a user gets. The DEFAULT configuration (4
// shards x 8192 slots, Block); each op is one round of sustainedEvents
// distinct events ({"i":N}, many times what the rings hold) into a fresh
// node, and the clock stops after Flush, so the rate is events emitted AND
// stored per second. The stored count comes from the stats
// (EventsIngested - EventsDropped); when any round lost an event the
// benchmark prints "DROPPED n" (and a DROPPED-events metric) instead of a
// rate.
//
// BenchmarkRingPush* and the floors: ring push (accepted, not stored).
// The producer path alone — cgo call, libnet's C ABI, the engine's ring
// push — into large rings under DropOldest, where a producer never waits
// for the batcher; the rate counts events accepted, whether or not they
// were stored (unit accepted-Mevents/s).
var benchConfig = Config{Shards: 4, RingCapacity: 1 << 16, Retention: 1 << 16, Backpressure: DropOldest}

var event9 = []byte(`{"a":123}`) // 9 bytes

// sustainedEvents is how many events one sustained round emits.
const sustainedEvents = 2_000_000

// sustainedInput holds the distinct events of a sustained round, built
// once, before any timing: one block, and each event a slice of it.
var sustainedInput = sync.OnceValue(func() [][]byte {
	block := make([]byte, 0, 16*sustainedEvents)
	ends := make([]int, sustainedEvents)
	for i := range ends {
		block = strconv.AppendInt(append(block, `{"i":`...), int64(i), 10)
		block = append(block, '}')
		ends[i] = len(block)
	}
	events := make([][]byte, sustainedEvents)
	start := 0
	for i, end := range ends {
		events[i] = block[start:end:end]
		start = end
	}
	return events
})

// sustained runs b.N rounds of `round` (which emits every event of
// sustainedInput) on fresh default nodes, with Flush inside the timing,
// and reports stored events per second — or DROPPED when any event was
// lost (a refused emit included).
func sustained(b *testing.B, round func(n *Node, events [][]byte)) {
	events := sustainedInput()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	b.ResetTimer()
	var stored, lost uint64
	var elapsed, cpu time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		n, err := NewNode(Config{})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start, cpu0 := time.Now(), threadCPU(b)
		round(n, events)
		if err := n.Flush(context.Background()); err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		cpu += threadCPU(b) - cpu0
		b.StopTimer()
		st, err := n.Stats()
		if err != nil {
			b.Fatal(err)
		}
		n.Close()
		kept := st.EventsIngested - st.EventsDropped
		stored += kept
		lost += uint64(len(events)) - kept
		b.StartTimer()
	}
	b.ReportMetric(0, "ns/op") // hidden: a round's time says nothing per event
	if lost > 0 {
		// Benchmark logs are always printed; no rate is reported.
		b.Logf("DROPPED %d of %d events", lost, uint64(b.N)*uint64(len(events)))
		b.ReportMetric(float64(lost), "DROPPED-events")
		return
	}
	b.ReportMetric(float64(stored)/elapsed.Seconds()/1e6, "Mevents/s")
	b.ReportMetric(float64(stored)/cpu.Seconds()/1e6, "cpu-Mevents/s")
}

func BenchmarkSustainedEmitRaw(b *testing.B) {
	sustained(b, func(n *Node, events [][]byte) {
		for _, ev := range events {
			_, _ = n.EmitRaw(ev) // a refused emit is counted as lost by sustained
		}
	})
}

func BenchmarkSustainedEmitRawBatch1000(b *testing.B) {
	sustained(b, func(n *Node, events [][]byte) {
		for i := 0; i < len(events); i += 1000 {
			_, _ = n.EmitRawBatch(events[i:min(i+1000, len(events))])
		}
	})
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// measure runs a ring-push benchmark loop on one locked OS thread and
// reports events accepted (stored or not) per second twice: by wall time,
// and by the CPU time of the emitting thread — what the rate would be with
// a core to itself, which stays meaningful on a machine shared with other
// work.
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
	b.ReportMetric(events/b.Elapsed().Seconds()/1e6, "accepted-Mevents/s")
	b.ReportMetric(events/cpu.Seconds()/1e6, "cpu-accepted-Mevents/s")
}

func BenchmarkRingPushEmitRaw(b *testing.B) {
	n := newNode(b, benchConfig)
	measure(b, 1, func() {
		if _, err := n.EmitRaw(event9); err != nil {
			b.Fatal(err)
		}
	})
}

func BenchmarkRingPushEmitRawBatch1000(b *testing.B) {
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
func BenchmarkRingPushEmitRawBatch1000Distinct(b *testing.B) {
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

func BenchmarkRingPushEmitRawParallel(b *testing.B) {
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
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds()/1e6, "accepted-Mevents/s")
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
