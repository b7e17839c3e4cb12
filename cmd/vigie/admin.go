package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/vigie-moderation/vigie/ingest"
	"github.com/vigie-moderation/vigie/internal/redisio"
	"github.com/vigie-moderation/vigie/review"
)

func runAdmin(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vigie admin", flag.ContinueOnError)
	addr := fs.String("redis-addr", os.Getenv("VIGIE_REDIS_ADDR"), "Redis host:port or redis:// URL (env VIGIE_REDIS_ADDR)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: vigie admin [--redis-addr ADDR] <moderators|tokens|settings|keys|coral> …")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *addr == "" {
		return fmt.Errorf("--redis-addr / VIGIE_REDIS_ADDR is required")
	}
	rdb, err := redisio.Open(ctx, *addr)
	if err != nil {
		return err
	}
	defer rdb.Close()
	switch fs.Arg(0) {
	case "keys", "coral":
		// Publisher API keys and Coral signing secrets belong to ingest.
		return ingest.Admin(ctx, rdb, fs.Args(), os.Stdin, os.Stdout)
	}
	return review.Admin(ctx, review.NewStore(rdb, review.StoreOptions{}), fs.Args(), os.Stdout)
}
