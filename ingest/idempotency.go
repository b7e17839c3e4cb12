package ingest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/vigie-moderation/vigie/internal/message"
)

// ledger makes submissions idempotent per (tenant, comment id). A request
// first reserves each id (SET-NX-like, in a script); only reserved comments
// are written to Kafka; once Kafka acknowledged them the request records
// them, and the record answers every later request with the same text. A
// reservation expires after reserveTTL, so a process that dies between
// reserving and recording blocks retries of that id for at most that long.
type ledger struct {
	rdb        redis.UniversalClient
	reserveTTL time.Duration
	ttl        time.Duration
}

// outcome is what reserving one comment id found.
type outcome int

const (
	// reserved: the request owns the id and must record or release it.
	reserved outcome = iota
	// replay: the same text was recorded before; answer what was answered.
	replay
	// conflict: another text was recorded and the comment is not an edit.
	conflict
	// busy: another request holds the reservation right now.
	busy
)

// seen is the ledger's answer for one comment.
type seen struct {
	outcome outcome
	// kind and verdict are what was recorded, for replays: kind "check"
	// (verdict holds its JSON) or "submit".
	kind    string
	verdict string
}

// Kinds of record, named after the endpoint that wrote the comment.
const (
	kindCheck  = "check"
	kindSubmit = "submit"
)

func textHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:])
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// reserve asks for every comment's id in one round trip. token identifies
// the request; it is passed again to record or release.
func (l *ledger) reserve(ctx context.Context, token string, cs []*message.Comment) ([]seen, error) {
	keys := make([][]string, len(cs))
	args := make([][]any, len(cs))
	for i, c := range cs {
		edited := "0"
		if c.Edited {
			edited = "1"
		}
		keys[i] = []string{seenKey(c.Tenant, c.ID)}
		args[i] = []any{textHash(c.Text), token, l.reserveTTL.Milliseconds(), edited}
	}
	cmds, err := runPipelined(ctx, l.rdb, reserveScript, keys, args)
	if err != nil {
		return nil, fmt.Errorf("reserving comment ids: %w", err)
	}
	out := make([]seen, len(cs))
	for i, cmd := range cmds {
		parts, err := cmd.StringSlice()
		if err != nil || len(parts) == 0 {
			return nil, fmt.Errorf("unexpected reservation reply %v: %w", cmd.Val(), err)
		}
		switch parts[0] {
		case "reserved":
			out[i] = seen{outcome: reserved}
		case "done":
			if len(parts) != 3 {
				return nil, fmt.Errorf("unexpected reservation reply %v", parts)
			}
			out[i] = seen{outcome: replay, kind: parts[1], verdict: parts[2]}
		case "conflict":
			out[i] = seen{outcome: conflict}
		case "busy":
			out[i] = seen{outcome: busy}
		default:
			return nil, fmt.Errorf("unexpected reservation reply %v", parts)
		}
	}
	return out, nil
}

// record marks the reserved comments as written by endpoint kind, with
// their verdict JSON (verdicts may be nil for "submit").
func (l *ledger) record(ctx context.Context, token, kind string, cs []*message.Comment, verdicts []string) error {
	keys := make([][]string, len(cs))
	args := make([][]any, len(cs))
	for i, c := range cs {
		v := ""
		if verdicts != nil {
			v = verdicts[i]
		}
		keys[i] = []string{seenKey(c.Tenant, c.ID)}
		args[i] = []any{token, kind, v, l.ttl.Milliseconds()}
	}
	if _, err := runPipelined(ctx, l.rdb, recordScript, keys, args); err != nil {
		return fmt.Errorf("recording comment ids: %w", err)
	}
	return nil
}

// release gives the reservations of cs back after a failed write.
func (l *ledger) release(ctx context.Context, token string, cs []*message.Comment) error {
	keys := make([][]string, len(cs))
	args := make([][]any, len(cs))
	for i, c := range cs {
		keys[i] = []string{seenKey(c.Tenant, c.ID)}
		args[i] = []any{token, l.ttl.Milliseconds()}
	}
	if _, err := runPipelined(ctx, l.rdb, releaseScript, keys, args); err != nil {
		return fmt.Errorf("releasing comment ids: %w", err)
	}
	return nil
}

// runPipelined runs script once per keys/args pair in one pipeline, by
// EVALSHA. If the server does not know the script (first use, restart,
// SCRIPT FLUSH) it loads it and runs the pipeline again, which the ingest
// scripts tolerate: each one is idempotent for the same token.
func runPipelined(ctx context.Context, rdb redis.UniversalClient, script *redis.Script, keys [][]string, args [][]any) ([]*redis.Cmd, error) {
	run := func() ([]*redis.Cmd, error) {
		cmds := make([]*redis.Cmd, len(keys))
		_, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i := range keys {
				cmds[i] = script.EvalSha(ctx, p, keys[i], args[i]...)
			}
			return nil
		})
		return cmds, err
	}
	cmds, err := run()
	if err == nil || !noScript(cmds) {
		return cmds, err
	}
	if err := script.Load(ctx, rdb).Err(); err != nil {
		return nil, fmt.Errorf("loading Lua script: %w", err)
	}
	return run()
}

func noScript(cmds []*redis.Cmd) bool {
	for _, c := range cmds {
		if c != nil && c.Err() != nil && strings.HasPrefix(c.Err().Error(), "NOSCRIPT") {
			return true
		}
	}
	return false
}
