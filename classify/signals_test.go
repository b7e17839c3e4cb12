package classify

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/message"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

func fingerprint(t *testing.T, text string) uint64 {
	t.Helper()
	return SimHash(plainNormalizer.Prepare(text).Tokens, minFingerprintWords)
}

func TestSimHashNearDuplicates(t *testing.T) {
	t.Parallel()
	a := fingerprint(t, "Amazing opportunity! I earn 400 dollars a day from home with this simple method, message me on WhatsApp")
	b := fingerprint(t, "Amazing opportunity!! I earn 400 dollars a day from home with this simple method. Message me on WhatsApp now")
	c := fingerprint(t, "The council approved the new bus line after a long debate about costs and the timetable")
	require.NotZero(t, a)
	require.LessOrEqual(t, popcount(a^b), NearDuplicateBits)
	require.Greater(t, popcount(a^c), NearDuplicateBits)
	require.Zero(t, fingerprint(t, "merci !"), "short texts are not fingerprinted")
	// Campaign copies differ in their numbers; they still read as one text.
	d := fingerprint(t, "Gagnez 500€ par jour depuis chez vous !!! Contactez-moi sur WhatsApp +33 6 12 34 56 78 ou https://bit.ly/gain12")
	e := fingerprint(t, "Gagnez 800€ par jour depuis chez vous !!! Contactez-moi sur WhatsApp +33 6 98 76 54 32 ou https://bit.ly/gain77")
	require.LessOrEqual(t, popcount(d^e), NearDuplicateBits)
}

func popcount(x uint64) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestMemorySignals(t *testing.T) {
	t.Parallel()
	signalsConformance(t, NewMemorySignals(0), "")
}

// TestRedisSignals runs the same cases on the Redis implementation the
// classify role uses, against the real redis-server.
func TestRedisSignals(t *testing.T) {
	t.Parallel()
	signalsConformance(t, NewRedisSignals(testenv.Redis(t)), testenv.Name("sig"))
}

func TestBandMemberRoundTrip(t *testing.T) {
	t.Parallel()
	for _, author := range []string{"", "a", "x|y:z", "ünï|"} {
		fp, a, id, ok := parseBandMember(bandMember(0xfeed, author, "c|1:2"))
		require.True(t, ok)
		require.Equal(t, uint64(0xfeed), fp)
		require.Equal(t, author, a)
		require.Equal(t, "c|1:2", id)
	}
	_, _, _, ok := parseBandMember("zz|3:ab")
	require.False(t, ok)
}

// signalsConformance is what every Signals implementation must do. Tenants
// are prefixed so runs against a shared Redis never meet.
func signalsConformance(t *testing.T, m Signals, prefix string) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	obs := func(tenant, id, author string, fp uint64, at time.Duration) Counts {
		c, err := m.Observe(ctx, Observation{Tenant: prefix + tenant, CommentID: id, AuthorID: author, Fingerprint: fp, At: t0.Add(at), Window: 10 * time.Minute})
		require.NoError(t, err)
		return c
	}
	fp := uint64(0xdeadbeefcafef00d)
	require.Equal(t, Counts{Duplicates: 1, DuplicateAuthors: 1, AuthorComments: 1}, obs("t1", "1", "a", fp, 0))
	require.Equal(t, Counts{Duplicates: 2, DuplicateAuthors: 2, AuthorComments: 1}, obs("t1", "2", "b", fp^0b101, time.Minute))
	// A redelivery counts once.
	require.Equal(t, Counts{Duplicates: 2, DuplicateAuthors: 2, AuthorComments: 1}, obs("t1", "2", "b", fp^0b101, time.Minute))
	// Another tenant sees nothing of t1.
	require.Equal(t, Counts{Duplicates: 1, DuplicateAuthors: 1, AuthorComments: 1}, obs("t2", "1", "a", fp, time.Minute))
	// Far apart in bits: not a duplicate.
	require.Equal(t, 1, obs("t1", "3", "c", ^fp, 2*time.Minute).Duplicates)
	// Out of the window: forgotten.
	require.Equal(t, 1, obs("t1", "4", "d", fp, time.Hour).Duplicates)
	// Velocity.
	var c Counts
	for i := range 5 {
		c = obs("t1", fmt.Sprintf("v%d", i), "fast", 0, time.Duration(i)*time.Second)
	}
	require.Equal(t, 5, c.AuthorComments)
	require.Zero(t, c.Duplicates)
	// Author ids are the publisher's opaque strings: separators in them
	// neither merge nor split authors.
	require.Equal(t, Counts{Duplicates: 1, DuplicateAuthors: 1, AuthorComments: 1}, obs("t3", "1", "x|y:z", fp, 0))
	require.Equal(t, Counts{Duplicates: 2, DuplicateAuthors: 2, AuthorComments: 1}, obs("t3", "2", "x|y", fp, time.Second))
	require.Equal(t, Counts{Duplicates: 3, DuplicateAuthors: 2, AuthorComments: 2}, obs("t3", "3", "x|y:z", fp, 2*time.Second))
	// Every bit of the fingerprint counts, the top one included, and
	// fingerprints with leading zero bits match like any other.
	top := uint64(0x8000000080000001)
	require.Equal(t, 1, obs("t4", "1", "a", top, 0).Duplicates)
	require.Equal(t, 2, obs("t4", "2", "b", top^(1<<63|1<<31), time.Second).Duplicates)
	require.Equal(t, 1, obs("t4", "3", "c", top^0xff00ff00, 2*time.Second).Duplicates, "16 bits apart is not a duplicate")
	require.Equal(t, 1, obs("t5", "1", "a", 0x5, 0).Duplicates)
	require.Equal(t, 2, obs("t5", "2", "b", 0x4, time.Second).Duplicates)
}

func TestMemorySignalsBounded(t *testing.T) {
	t.Parallel()
	m := NewMemorySignals(10)
	for i := range 100 {
		_, err := m.Observe(context.Background(), Observation{Tenant: "t", CommentID: fmt.Sprint(i), AuthorID: "a",
			Fingerprint: uint64(i + 1), At: time.Unix(int64(i), 0), Window: time.Hour})
		require.NoError(t, err)
	}
	require.LessOrEqual(t, len(m.entries), 10)
}

func TestEngineFlagsCampaignsAndVelocity(t *testing.T) {
	t.Parallel()
	e, err := NewEngine(EngineConfig{Signals: NewMemorySignals(0), Languages: []string{"fr", "en"}})
	require.NoError(t, err)
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	text := "Très bonne analyse, je recommande à tous de lire le dossier complet sur ce sujet passionnant"
	var v message.Verdict
	for i := range 3 {
		c := &message.Comment{ID: fmt.Sprint(i), Tenant: "t", Author: message.Author{ID: fmt.Sprint("author", i)}, Text: text, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
		v, err = e.Classify(context.Background(), c, DefaultPolicy())
		require.NoError(t, err)
	}
	require.Equal(t, message.ActionReview, v.Action)
	require.Contains(t, v.Labels, "duplicate")

	for i := range 8 {
		c := &message.Comment{ID: fmt.Sprint("v", i), Tenant: "t", Author: message.Author{ID: "speedy"},
			Text: fmt.Sprintf("Commentaire numéro %d", i), CreatedAt: t0.Add(time.Duration(i) * time.Second)}
		v, err = e.Classify(context.Background(), c, DefaultPolicy())
		require.NoError(t, err)
	}
	var rules []string
	for _, m := range v.Matches {
		rules = append(rules, m.Rule)
	}
	require.Contains(t, rules, "spam.velocity")
}
