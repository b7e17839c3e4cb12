package kafkaio_test

import (
	"context"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/stretchr/testify/require"

	"github.com/vigie-moderation/vigie/internal/kafkaio"
	"github.com/vigie-moderation/vigie/internal/testenv"
)

// ReadGroupProgress counts what a group left waiting: everything for a
// group that never committed, the rest after a commit.
func TestReadGroupProgress(t *testing.T) {
	brokers := testenv.KafkaBrokers(t)
	topics := testenv.Topics(t, brokers, 2)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	w := kafkaio.NewWriter(brokers, topics.Comments, kafkaio.WriterConfig{}, nil)
	defer w.Close()
	msgs := make([]kafka.Message, 10)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte{byte('a' + i)}, Value: []byte("x")}
	}
	require.NoError(t, w.WriteMessages(ctx, msgs...))

	group := testenv.Name("progress")
	// A group the brokers have not seen yet may first get "not
	// coordinator" while its coordinator is chosen.
	var g kafkaio.GroupProgress
	var err error
	testenv.Eventually(t, 30*time.Second, func() bool {
		g, err = kafkaio.ReadGroupProgress(ctx, brokers, group, topics.Comments)
		return err == nil
	}, "reading the progress of a new group never succeeded")
	require.Equal(t, kafkaio.GroupProgress{Committed: 0, Lag: 10}, g)

	r := kafkaio.NewReader(kafkaio.ReaderConfig{Brokers: brokers, Topic: topics.Comments, GroupID: group}, nil)
	defer r.Close()
	var got []kafka.Message
	for len(got) < 4 {
		m, err := r.FetchMessage(ctx)
		require.NoError(t, err)
		got = append(got, m)
	}
	require.NoError(t, r.CommitMessages(ctx, got...))
	testenv.Eventually(t, 30*time.Second, func() bool {
		g, err = kafkaio.ReadGroupProgress(ctx, brokers, group, topics.Comments)
		return err == nil && g.Committed > 0
	}, "reading the progress after a commit never showed it")
	require.Equal(t, int64(10), g.Committed+g.Lag, "committed and waiting add up to what was written")
	require.GreaterOrEqual(t, g.Committed, int64(4))
	require.LessOrEqual(t, g.Lag, int64(6))
}
