package client_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/vigie-moderation/vigie/classify"
	"github.com/vigie-moderation/vigie/client"
	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/auth"
)

func Example() {
	vigieURL, key := startVigie() // your Vigie instance and publisher key
	c := client.New(vigieURL, key)

	// On the submit path of your comment form:
	res, err := c.Check(context.Background(), client.Comment{
		ID: "c-1042", ThreadID: "article-77", ThreadLang: "fr",
		Author: client.Author{ID: "reader-9"},
		Text:   "Tu es un idiot complet, espèce de crétin",
	})
	if err != nil {
		// Vigie is unreachable even after retries: apply your fallback,
		// for instance hold the comment.
		fmt.Println("hold:", err)
		return
	}
	switch res.Action {
	case client.Allow:
		fmt.Println("publish")
	case client.Review:
		fmt.Println("hold for a moderator; tell the author:", res.Nudge.Message)
	case client.Reject:
		fmt.Println("refuse; tell the author:", res.Nudge.Message)
	}
	// Output:
	// refuse; tell the author: Votre commentaire ne peut pas être publié en l'état. Critiquez les idées plutôt que les personnes : reformuler sans attaque personnelle suffit souvent.
}

func ExampleClient_Submit() {
	vigieURL, key := startVigie()
	c := client.New(vigieURL, key, client.WithRetries(6))
	acc, err := c.Submit(context.Background(), client.Comment{
		ID: "c-1043", ThreadID: "article-77", Author: client.Author{ID: "reader-9"},
		Text: "Merci pour cet article très clair.",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acc.Accepted, acc.IDs)
	// Output: 1 [c-1043]
}

func ExampleClient_SubmitBatch() {
	vigieURL, key := startVigie()
	c := client.New(vigieURL, key)
	acc, err := c.SubmitBatch(context.Background(), []client.Comment{
		{ID: "c-1", ThreadID: "article-77", Author: client.Author{ID: "reader-1"}, Text: "Premier !"},
		{ID: "c-2", ThreadID: "article-77", Author: client.Author{ID: "reader-2"}, Text: "Bien vu."},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acc.Accepted, acc.IDs)
	// Output: 2 [c-1 c-2]
}

func ExampleVerifyWebhook() {
	secret := "whsec_0123456789abcdef" // the tenant's webhook_secret
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable body", http.StatusBadRequest)
			return
		}
		d, err := client.VerifyWebhook(secret, r.Header.Get(client.SignatureHeader), body)
		if err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		// Deliveries are at least once: skip d.EventID if already applied.
		fmt.Println(d.CommentID, d.Decision, d.Reason)
		w.WriteHeader(http.StatusNoContent)
	})

	// What Vigie sends:
	body := []byte(`{"v":1,"tenant":"lemonde","comment_id":"c-1042","decision":"reject","reason":"insult","moderator":"marie","decided_at":"2026-03-01T12:00:00Z","event_id":"8c1e4f2a-0000-4000-8000-000000000001"}`)
	req := httptest.NewRequest(http.MethodPost, "/vigie/decisions", bytes.NewReader(body))
	req.Header.Set(client.SignatureHeader, sign(secret, time.Now(), body))
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, req)
	fmt.Println(rec.Code)
	// Output:
	// c-1042 reject insult
	// 204
}

// sign computes a Vigie-Signature the way Vigie's review role does.
func sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

var (
	engineOnce sync.Once
	engine     *classify.Engine
	engineErr  error
)

// demoEngine is Vigie's classifier with its built-in rules.
func demoEngine(t testing.TB) *classify.Engine {
	engineOnce.Do(func() { engine, engineErr = classify.NewEngine(classify.EngineConfig{}) })
	if engineErr != nil {
		if t == nil {
			panic(engineErr)
		}
		t.Fatal(engineErr)
	}
	return engine
}

// discardLog is a Producer that keeps nothing: the examples' Vigie has no
// Kafka.
type discardLog struct{}

func (discardLog) WriteMessages(context.Context, ...kafka.Message) error { return nil }

// startVigie runs Vigie's publisher API in process for the examples and
// returns its URL and a publisher key.
func startVigie() (string, string) {
	const key = "vk_demo_0123456789abcdef0123456789abcdef0123456789abcdef"
	keys := auth.NewStatic()
	keys.Add(key, auth.Principal{Tenant: "demo", Subject: "site", Role: "publisher"})
	api, err := ingest.New(ingest.Config{Producer: discardLog{}, Auth: keys, Classifier: demoEngine(nil)})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	api.Register(mux)
	return httptest.NewServer(mux).URL, key
}
