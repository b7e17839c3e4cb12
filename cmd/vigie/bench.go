package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/vigie-moderation/vigie/internal/bench"
)

func runBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("vigie bench", flag.ContinueOnError)
	brokers := fs.String("kafka-brokers", envOr("VIGIE_KAFKA_BROKERS", "127.0.0.1:19092"), "Kafka brokers (env VIGIE_KAFKA_BROKERS)")
	redisAddr := fs.String("redis-addr", envOr("VIGIE_REDIS_ADDR", "127.0.0.1:16379"), "Redis address (env VIGIE_REDIS_ADDR)")
	n := fs.Int("n", 100000, "comments pushed through each throughput phase")
	partitions := fs.Int("partitions", 6, "partitions of the benchmark topics")
	rate := fs.Int("rate", 1000, "comments/s of the latency phase")
	dur := fs.Duration("latency-for", 10*time.Second, "duration of the latency phase")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *n < 1 || *partitions < 1 || *rate < 1 || *dur <= 0 {
		return fmt.Errorf("-n, -partitions, -rate and -latency-for must be positive")
	}
	_, err := bench.Run(ctx, bench.Config{
		Brokers: strings.Split(*brokers, ","), RedisAddr: *redisAddr,
		N: *n, Partitions: *partitions, Rate: *rate, LatencyFor: *dur,
	}, os.Stdout)
	return err
}
