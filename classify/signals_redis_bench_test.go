package classify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigie-moderation/vigie/internal/testenv"
)

// BenchmarkRedisSignals measures Observe against the real Redis with many
// goroutines, as the classify workers call it; redis-cpu-µs/op is the
// server's CPU time per observation, the figure that bounds the pipeline.
func BenchmarkRedisSignals(b *testing.B) {
	rdb := testenv.Redis(b)
	s := NewRedisSignals(rdb)
	tenant := testenv.Name("sigbench")
	var seq atomic.Int64
	cpu := func() float64 {
		info, _ := rdb.Info(context.Background(), "cpu").Result()
		var sys, user float64
		for _, l := range splitLines(info) {
			fmt.Sscanf(l, "used_cpu_sys:%f", &sys)
			fmt.Sscanf(l, "used_cpu_user:%f", &user)
		}
		return sys + user
	}
	start := cpu()
	b.ResetTimer()
	b.SetParallelism(16)
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(uint64(seq.Add(1)), 7))
		for pb.Next() {
			n := seq.Add(1)
			_, err := s.Observe(context.Background(), Observation{
				Tenant: tenant, CommentID: fmt.Sprint("c", n), AuthorID: fmt.Sprint("a", rng.IntN(5000)),
				Fingerprint: rng.Uint64() | 1, At: time.Now(), Window: 10 * time.Minute,
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	b.ReportMetric((cpu()-start)*1e6/float64(b.N), "redis-cpu-µs/op")
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}
