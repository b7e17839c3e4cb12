package main

import (
	"context"
	"os"

	"github.com/vigie-moderation/vigie/internal/config"
	"github.com/vigie-moderation/vigie/internal/roles"
)

func roleCommand(role config.Role) func(ctx context.Context, args []string) error {
	return func(ctx context.Context, args []string) error {
		cfg, log, err := loadConfig(string(role), role, args)
		if err != nil {
			return err
		}
		log = log.WithField("role", string(role))
		switch role {
		case config.RoleIngest:
			return roles.Ingest(ctx, cfg, log, nil)
		case config.RoleClassify:
			return roles.Classify(ctx, cfg, log, nil)
		case config.RoleReview:
			return roles.Review(ctx, cfg, log, nil)
		default:
			return roles.Dev(ctx, cfg, log, os.Stderr, nil)
		}
	}
}
