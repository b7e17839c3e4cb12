package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/segmentio/kafka-go"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

type nopProducer struct{}

func (nopProducer) WriteMessages(context.Context, ...kafka.Message) error { return nil }

// BenchmarkCheckHandler measures POST /v1/check in process with the real
// engine and real Redis (key lookup, rate limit, reservation, record) but
// no Kafka: the server-side cost of a synchronous check.
func BenchmarkCheckHandler(b *testing.B) {
	rdb := testenv.Redis(b)
	tenant := testenv.Name("bench")
	key, _, err := ingest.NewKeys(rdb, nil).Create(context.Background(), tenant, "bench", ingest.RateLimit{Rate: 1e6, Burst: 1e6})
	if err != nil {
		b.Fatal(err)
	}
	eng := realEngine(b)
	api, err := ingest.New(ingest.Config{Producer: nopProducer{}, Redis: rdb, Classifier: eng})
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	api.Register(mux)
	texts := []string{
		"Merci pour ce papier, enfin quelqu'un qui explique clairement le dossier du tramway.",
		"Tu es un idiot complet, espèce de crétin",
		"Great article, the council should have consulted residents before starting the works.",
		"Gagnez 500€ par jour depuis chez vous grâce au bitcoin !!! Contactez-moi sur WhatsApp",
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"id":"b-%d","thread_id":"t","thread_lang":"fr","author":{"id":"a%d"},"text":%q}`, i, i%100, texts[i%len(texts)])
		req := httptest.NewRequest(http.MethodPost, "/v1/check", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}
