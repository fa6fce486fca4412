package net

import (
	"slices"
	"testing"
	"time"
)

// benchRoundTrips times b.N calls of round after warmup unmeasured ones
// and reports their p50 and p99 in µs: a round trip's latency, not a mean.
func benchRoundTrips(b *testing.B, warmup int, round func()) {
	for range warmup {
		round()
	}
	samples := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t := time.Now()
		round()
		samples = append(samples, time.Since(t))
	}
	b.StopTimer()
	slices.Sort(samples)
	pct := func(q float64) float64 {
		return float64(samples[min(int(float64(len(samples))*q), len(samples)-1)].Nanoseconds()) / 1e3
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
}
