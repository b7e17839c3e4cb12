package review

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"
	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// BenchmarkAdmit measures one pipelined Admit of a 500-comment batch, a
// third of them flagged, against the real Redis. Besides the wall time it
// reports the CPU time the Redis server spent per comment
// (redis-cpu-µs/comment, from INFO cpu): parsing, scripts and replies, the
// figure that bounds the pipeline and the one to compare between versions,
// since it moves little when other processes compete for the cores. Other
// clients of the same server inflate it: point VIGIE_TEST_REDIS at a
// private redis-server for a clean number.
func BenchmarkAdmit(b *testing.B) {
	rdb := testenv.Redis(b)
	tenant := testenv.Name("bench")
	store := NewStore(rdb, StoreOptions{PasswordCost: bcrypt.MinCost, Tenants: []string{tenant}})
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := serverCPU(b, rdb)
	for i := 0; b.Loop(); i++ {
		batch := make([]message.Classified, 500)
		for j := range batch {
			action := message.ActionAllow
			if j%3 == 0 {
				action = message.ActionReview
			}
			batch[j] = classified(tenant, fmt.Sprintf("c%d-%d", i, j), fmt.Sprintf("a%d", j%50), action, "r1")
		}
		if err := store.Admit(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "comments/s")
	b.ReportMetric((serverCPU(b, rdb)-cpu0)*1e6/float64(b.N*500), "redis-cpu-µs/comment")
}

// serverCPU returns the CPU seconds (user and system) the Redis server has
// used since it started.
func serverCPU(b *testing.B, rdb *redis.Client) float64 {
	info, err := rdb.Info(context.Background(), "cpu").Result()
	if err != nil {
		b.Fatal(err)
	}
	total := 0.0
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
			n, _ := strconv.ParseFloat(v, 64)
			total += n
		}
	}
	return total
}
