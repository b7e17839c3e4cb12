package review

import (
	"context"
	"sort"

	"fmt"
	"github.com/redis/go-redis/v9"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TenantSettings are what a tenant's admins configure. Unset fields take the
// values of DefaultTenantSettings.
type TenantSettings struct {
	// SpamReview and SpamReject are the spam score thresholds from which the
	// classifier holds a comment for review or rejects it.
	SpamReview float64 `json:"spam_review"`
	SpamReject float64 `json:"spam_reject"`
	// TrollReview and TrollReject are the same thresholds for the troll score.
	TrollReview float64 `json:"troll_review"`
	TrollReject float64 `json:"troll_reject"`
	// Languages restricts language detection to these ISO 639-1 codes;
	// empty means every language the rule set covers.
	Languages []string `json:"languages"`
	// DefaultLanguage is the fallback when detection and thread_lang fail.
	DefaultLanguage string `json:"default_language"`
	// Mode is "post" (comments appear at once and a reject takes them down)
	// or "pre" (flagged comments stay hidden until approved). Vigie
	// publishes the same decisions in both modes; the publisher applies them.
	Mode string `json:"mode"`
	// WebhookURL receives every decision, signed with WebhookSecret; empty
	// means no webhook.
	WebhookURL string `json:"webhook_url"`
	// WebhookSecret signs webhook deliveries. The API never returns it.
	WebhookSecret string `json:"-"`
	// TrustAfter approves flagged-for-review comments of an author
	// automatically once moderators approved that many of their comments;
	// 0 turns automatic trust off.
	TrustAfter int `json:"trust_after"`
	// PremoderateUntil queues every comment of an author, flagged or not,
	// until moderators approved that many; 0 turns premoderation off.
	PremoderateUntil int `json:"premoderate_until"`
}

// DefaultTenantSettings returns the settings of a tenant that set nothing.
func DefaultTenantSettings() TenantSettings {
	return TenantSettings{
		SpamReview: 0.5, SpamReject: 0.9, TrollReview: 0.5, TrollReject: 0.9,
		DefaultLanguage: "fr", Mode: "post",
	}
}

// TenantSettings returns tenant's settings, defaults filled in. Answers are
// cached in memory for StoreOptions.SettingsCacheTTL, so calling it per batch
// is cheap; a change made through this Store is seen at once, one made by
// another process within the TTL.
func (s *Store) TenantSettings(ctx context.Context, tenant string) (TenantSettings, error) {
	now := time.Now()
	if s.opts.SettingsCacheTTL > 0 {
		s.mu.Lock()
		c, ok := s.settings[tenant]
		s.mu.Unlock()
		if ok && now.Before(c.expires) {
			return c.s, nil
		}
	}
	h, err := s.rdb.HGetAll(ctx, settingsKey(tenant)).Result()
	if err != nil {
		return TenantSettings{}, fmt.Errorf("reading settings of tenant %s: %w", tenant, err)
	}
	st := DefaultTenantSettings()
	if err := st.apply(h); err != nil {
		return TenantSettings{}, fmt.Errorf("stored settings of tenant %s: %w", tenant, err)
	}
	if s.opts.SettingsCacheTTL > 0 {
		s.mu.Lock()
		s.settings[tenant] = cachedSettings{st, now.Add(s.opts.SettingsCacheTTL)}
		s.mu.Unlock()
	}
	return st, nil
}

// settingNames lists the settings in the order `settings get` prints them.
var settingNames = []string{
	"spam_review", "spam_reject", "troll_review", "troll_reject", "languages", "default_language",
	"mode", "webhook_url", "webhook_secret", "trust_after", "premoderate_until",
}

// apply sets the fields named in h (setting name → text value), validating
// each one.
func (st *TenantSettings) apply(h map[string]string) error {
	for k, v := range h {
		switch k {
		case "spam_review", "spam_reject", "troll_review", "troll_reject":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < 0 || f > 1 {
				return invalidField(k, "must be a number from 0 to 1")
			}
			switch k {
			case "spam_review":
				st.SpamReview = f
			case "spam_reject":
				st.SpamReject = f
			case "troll_review":
				st.TrollReview = f
			default:
				st.TrollReject = f
			}
		case "languages":
			st.Languages = nil
			for _, l := range strings.Split(v, ",") {
				l = strings.TrimSpace(l)
				if l == "" {
					continue
				}
				if !langCode(l) {
					return invalidField(k, "%q is not a two-letter ISO 639-1 code", l)
				}
				st.Languages = append(st.Languages, l)
			}
		case "default_language":
			if !langCode(v) {
				return invalidField(k, "must be a two-letter ISO 639-1 code")
			}
			st.DefaultLanguage = v
		case "mode":
			if v != "pre" && v != "post" {
				return invalidField(k, "must be pre or post")
			}
			st.Mode = v
		case "webhook_url":
			if v != "" {
				u, err := url.Parse(v)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(v) > 2048 {
					return invalidField(k, "must be an absolute http or https URL")
				}
			}
			st.WebhookURL = v
		case "webhook_secret":
			if v != "" && len(v) < 16 {
				return invalidField(k, "must be at least 16 characters")
			}
			st.WebhookSecret = v
		case "trust_after", "premoderate_until":
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000 {
				return invalidField(k, "must be a whole number from 0 to 1000000")
			}
			if k == "trust_after" {
				st.TrustAfter = n
			} else {
				st.PremoderateUntil = n
			}
		default:
			return invalidField(k, "is not a setting (known: %s)", strings.Join(settingNames, ", "))
		}
	}
	if st.SpamReview > st.SpamReject {
		return invalidField("spam_review", "must not be above spam_reject")
	}
	if st.TrollReview > st.TrollReject {
		return invalidField("troll_review", "must not be above troll_reject")
	}
	if st.WebhookURL != "" && st.WebhookSecret == "" {
		return invalidField("webhook_secret", "is required when webhook_url is set")
	}
	return nil
}

func langCode(s string) bool {
	return len(s) == 2 && s[0] >= 'a' && s[0] <= 'z' && s[1] >= 'a' && s[1] <= 'z'
}

// setSettings validates and stores a change of settings (name → text value,
// "" to clear webhook fields) and audits which settings changed, never
// their values.
func (s *Store) setSettings(ctx context.Context, tenant, actor string, change map[string]string) (TenantSettings, error) {
	if len(change) == 0 {
		return s.TenantSettings(ctx, tenant)
	}
	cur, err := s.rdb.HGetAll(ctx, settingsKey(tenant)).Result()
	if err != nil {
		return TenantSettings{}, fmt.Errorf("reading settings: %w", err)
	}
	for k, v := range change {
		cur[k] = v
	}
	st := DefaultTenantSettings()
	if err := st.apply(cur); err != nil {
		return TenantSettings{}, err
	}
	var set []any
	var del, names []string
	for k, v := range change {
		names = append(names, k)
		if v == "" {
			del = append(del, k)
		} else {
			set = append(set, k, v)
		}
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		if len(set) > 0 {
			p.HSet(ctx, settingsKey(tenant), set...)
		}
		if len(del) > 0 {
			p.HDel(ctx, settingsKey(tenant), del...)
		}
		return nil
	})
	if err != nil {
		return TenantSettings{}, fmt.Errorf("writing settings: %w", err)
	}
	s.mu.Lock()
	delete(s.settings, tenant)
	s.mu.Unlock()
	sort.Strings(names)
	if err := s.appendAudit(ctx, tenant, actor, "settings", "changed", strings.Join(names, ",")); err != nil {
		return TenantSettings{}, err
	}
	return st, nil
}

// settingsText renders settings as name → text, the inverse of apply.
func settingsText(st TenantSettings) map[string]string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	secret := ""
	if st.WebhookSecret != "" {
		secret = "(set)"
	}
	return map[string]string{
		"spam_review": f(st.SpamReview), "spam_reject": f(st.SpamReject),
		"troll_review": f(st.TrollReview), "troll_reject": f(st.TrollReject),
		"languages": strings.Join(st.Languages, ","), "default_language": st.DefaultLanguage,
		"mode": st.Mode, "webhook_url": st.WebhookURL, "webhook_secret": secret,
		"trust_after": strconv.Itoa(st.TrustAfter), "premoderate_until": strconv.Itoa(st.PremoderateUntil),
	}
}
