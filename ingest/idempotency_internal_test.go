package ingest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// TestReservationOfADeadProcessExpires reserves an id and never records or
// releases it, as a process that died between reserving and writing: other
// requests are told to retry until the reservation expires, then one gets
// through.
func TestReservationOfADeadProcessExpires(t *testing.T) {
	t.Parallel()
	l := &ledger{rdb: testenv.Redis(t), reserveTTL: 300 * time.Millisecond, ttl: time.Hour}
	ctx := context.Background()
	c := &message.Comment{Tenant: testenv.Name("idem"), ID: "c1", Text: "Bonjour"}
	got, err := l.reserve(ctx, "dead", []*message.Comment{c})
	require.NoError(t, err)
	require.Equal(t, reserved, got[0].outcome)
	got, err = l.reserve(ctx, "dead", []*message.Comment{c})
	require.NoError(t, err)
	require.Equal(t, reserved, got[0].outcome, "the holder asking again keeps its reservation")

	got, err = l.reserve(ctx, "retry", []*message.Comment{c})
	require.NoError(t, err)
	require.Equal(t, busy, got[0].outcome)
	testenv.Eventually(t, 5*time.Second, func() bool {
		got, err = l.reserve(ctx, "retry", []*message.Comment{c})
		return err == nil && got[0].outcome == reserved
	}, "the dead reservation never expired")
	require.NoError(t, l.record(ctx, "retry", kindSubmit, []*message.Comment{c}, nil))
	ttl, err := l.rdb.PTTL(ctx, seenKey(c.Tenant, c.ID)).Result()
	require.NoError(t, err)
	require.Greater(t, ttl, 30*time.Minute, "a record lives for the idempotency TTL")
}

// TestReleasedEditRestoresTheRecord checks that an edit whose write failed
// leaves the first text recorded.
func TestReleasedEditRestoresTheRecord(t *testing.T) {
	t.Parallel()
	l := &ledger{rdb: testenv.Redis(t), reserveTTL: time.Minute, ttl: time.Hour}
	ctx := context.Background()
	c := &message.Comment{Tenant: testenv.Name("idem"), ID: "c1", Text: "Bonjour"}
	cs := []*message.Comment{c}
	_, err := l.reserve(ctx, "a", cs)
	require.NoError(t, err)
	require.NoError(t, l.record(ctx, "a", kindCheck, cs, []string{`{"action":"allow"}`}))

	edit := &message.Comment{Tenant: c.Tenant, ID: "c1", Text: "Bonsoir", Edited: true}
	got, err := l.reserve(ctx, "b", []*message.Comment{edit})
	require.NoError(t, err)
	require.Equal(t, reserved, got[0].outcome)
	require.NoError(t, l.release(ctx, "b", []*message.Comment{edit}))

	got, err = l.reserve(ctx, "c", cs)
	require.NoError(t, err)
	require.Equal(t, seen{outcome: replay, kind: kindCheck, verdict: `{"action":"allow"}`}, got[0])
}
