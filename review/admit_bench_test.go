package review

import (
	"context"
	"fmt"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// BenchmarkAdmit measures one pipelined Admit of a 500-comment batch, a
// third of them flagged, against the real Redis.
func BenchmarkAdmit(b *testing.B) {
	rdb := testenv.Redis(b)
	tenant := testenv.Name("bench")
	store := NewStore(rdb, StoreOptions{PasswordCost: bcrypt.MinCost, Tenants: []string{tenant}})
	ctx := context.Background()
	b.ReportAllocs()
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
}
